"""reefclr.deploy.windows: deployment windows and query sounds embedded from the recordings."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from conftest import MARRS, MARRS_SPEC
from helpers import assert_within, dataset_spec, reduction_bound, row_difference, segment, write_tone
from reefclr.data import ingest
from reefclr.deploy import windows
from reefclr.embedders.base import MelStats, embed_dataset
from reefclr.settings import Audio


AUDIO = Audio(str(MARRS), 1.92, "mean")


def test_windows_from_the_recordings_equal_the_cache(marrs):
    spec = dataset_spec(id="marrs", role="deploy", format="folders", path=".", extensions=["wav"])
    seg = segment(tail="pad")
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    stats = MelStats(128)
    table = windows.embed_windows(stats, manifest, AUDIO, MARRS_SPEC, batch_size=5)
    assert len(table) == len(manifest) and table["end_s"].equals(table["offset_s"] + 1.92)
    cached = embed_dataset(stats, marrs, batch_size=8).set_index("clip_id")
    mine = table.set_index("clip_id").loc[cached.index]
    # The mel of each window in other batches (5 here, 8 in the cache): the STFT's and the mel
    # filterbank's sums (1,024 + 513 terms) in another order, then log and mean/std per band.
    assert_within(row_difference(cached.filter(regex=r"^e\d+$").to_numpy(), mine.filter(regex=r"^e\d+$").to_numpy()),
                  reduction_bound(1024 + 513), "deployment windows vs the cache (worst window)")


def test_overlapping_windows_of_a_deployment(tmp_path):
    write_tone(tmp_path / "reef01" / "reef01_20230401_190000.wav", sr=16000, seconds=10)
    spec = dataset_spec(id="deploy_x", role="deploy", format="folders", path=".", extensions=["wav"], hop_s=0.96)
    seg = segment(tail="drop")
    manifest, _ = ingest.build_manifest(spec, tmp_path, seg)
    assert np.allclose(np.diff(np.sort(manifest["offset_s"])), 0.96) and len(manifest) == 9
    table = windows.embed_windows(MelStats(128), manifest, replace(AUDIO, data_root=str(tmp_path)),
                                   MARRS_SPEC, batch_size=4)
    assert set(table["site"]) == {"reef01"}
    assert table["time"].min() == pd.Timestamp("2023-04-01 19:00:00")


def test_queries_whole_files_or_raven_selections(tmp_path):
    write_tone(tmp_path / "q" / "grunt.wav", sr=16000, seconds=4)
    write_tone(tmp_path / "q" / "long.wav", sr=16000, seconds=12)
    pd.DataFrame({"Begin Time (s)": [1.0, 6.0], "End Time (s)": [3.5, 8.0], "Annotation": ["call", "call"]}).to_csv(
        tmp_path / "q" / "long.Table.1.selections.txt", sep="\t", index=False)
    spans = windows.query_spans(tmp_path / "q", ["wav"])
    assert spans["query"].tolist() == ["grunt", "long#1", "long#2"]
    vectors = windows.query_vectors(MelStats(128), spans, replace(AUDIO, data_root=str(tmp_path)),
                                   MARRS_SPEC, hop_s=0.96, batch_size=4)
    assert vectors["windows"].tolist() == [3, 1, 1]
    unit = vectors.filter(regex=r"^e\d+$").to_numpy()
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, rtol=1e-5)


def test_a_query_shorter_than_the_window_names_the_file(tmp_path):
    write_tone(tmp_path / "q" / "short.wav", sr=16000, seconds=1.0)
    spans = windows.query_spans(tmp_path / "q", ["wav"])
    with pytest.raises(ValueError, match=r"short.wav: the query is 1.00 s long, shorter than the 1.92 s window"):
        windows.query_windows(spans, tmp_path, 1.92, 0.96)


def test_a_query_that_does_not_decode_names_the_file(tmp_path):
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk")
    with pytest.raises(ValueError, match="broken.wav: cannot read audio header"):
        windows.query_spans(tmp_path / "q", ["wav"])
    sf.write(tmp_path / "q" / "broken.wav", np.zeros(10), 16000)  # decodes, but 10 samples
    with pytest.raises(ValueError, match="broken.wav: the query is 0.00 s long"):
        windows.query_windows(windows.query_spans(tmp_path / "q", ["wav"]), tmp_path, 1.92, 0.96)
