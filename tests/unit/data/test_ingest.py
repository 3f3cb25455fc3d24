"""reefclr.data.ingest: each dataset format to the clip manifest, and errors that name the bad row or file."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from helpers import REPO, dataset_spec, segment, spectrogram, write_tone
from reefclr.data import ingest
from reefclr.features import cache
from reefclr.features.cachedset import CachedSet
from reefclr.settings import Audio


SEG = segment(tail="drop")


SPEC = spectrogram(batch_size=8)


def _raven(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["Selection", "Begin Time (s)", "End Time (s)", "Annotation"]).to_csv(
        path, sep="\t", index=False)


def _raven_spec(**kw):
    spec = dataset_spec(**{"id": "test_x", "role": "test", "format": "raven", "audio": "audio", "annotations": "ann",
            "label_column": "Annotation", "background_label": "ambient", "site": None,
            "extensions": ["wav"], "shards": 3})
    return replace(spec, **kw)


def test_raven_ingest(tmp_path, segment_cfg):
    write_tone(tmp_path / "audio" / "rec1.wav", seconds=8)
    write_tone(tmp_path / "audio" / "rec2.WAV", seconds=6, sr=22050)
    _raven(tmp_path / "ann" / "rec1.Table.1.selections.txt", [(1, 0.2, 1.0, "fish"), (2, 4.0, 4.5, "fish")])
    _raven(tmp_path / "ann" / "rec2.Table.1.selections.txt", [(1, 2.0, 2.5, "fish")])
    m, _ = ingest.build_manifest(_raven_spec(), tmp_path, segment_cfg)
    assert list(m.columns) == ["clip_id", "source", "offset_s", "duration_s", "label", "dataset", "role",
                               "group", "site", "start_time", "entry", "shard"]
    rec1 = m[m.source == "audio/rec1.wav"].set_index("offset_s")["label"].to_dict()
    assert rec1 == {0.0: "fish", 1.92: "ambient", 3.84: "fish", 5.76: "ambient"}
    assert set(m.group) == {"audio/rec1.wav", "audio/rec2.WAV"}
    assert m.shard.between(0, 2).all() and m.clip_id.is_unique


def test_one_raven_table_for_all_recordings(tmp_path, segment_cfg):
    write_tone(tmp_path / "audio" / "rec1.wav", seconds=4)
    write_tone(tmp_path / "audio" / "rec2.wav", seconds=4)
    table = pd.DataFrame({"Selection": [1, 2], "Begin File": ["rec1.wav", "rec2.wav"], "Begin Time (s)": [0.1, 2.0],
                          "End Time (s)": [1.5, 3.5], "Annotation": ["fish", "boat"]})
    (tmp_path / "ann").mkdir()
    table.to_csv(tmp_path / "ann" / "all_selections.txt", sep="\t", index=False)
    m, _ = ingest.build_manifest(_raven_spec(), tmp_path, segment_cfg)
    assert m.set_index("clip_id")["label"].to_dict() == {
        "audio/rec1.wav@0": "fish", "audio/rec1.wav@1920": "ambient",
        "audio/rec2.wav@0": "ambient", "audio/rec2.wav@1920": "boat"}


def _json_spec(**kw):
    spec = dataset_spec(**{"id": "test_b", "role": "test", "format": "dataset_json", "path": "dataset.json",
            "data_type": "test_data", "dataset": "test_b", "group_pattern": r"^(rec\d+)_", "site": None,
            "extensions": ["wav"], "shards": 1})
    return replace(spec, **kw)


def _study_index(tmp_path, n=6):
    entries = []
    for i in range(n):
        name = f"clips/rec{i % 2}_{i:03d}.wav"
        write_tone(tmp_path / name, seconds=1.92, freq=200 + 100 * (i % 3))
        entries.append({"file_name": name, "class": f"class{i % 3}", "data_type": "test_data", "dataset": "test_b"})
    entries.append({"file_name": "clips/pre.wav", "class": "class0", "data_type": "train_data", "dataset": "x"})
    (tmp_path / "dataset.json").write_text(json.dumps({"audio": entries}))


def test_dataset_json_ingest(tmp_path, segment_cfg):
    _study_index(tmp_path)
    m, _ = ingest.build_manifest(_json_spec(), tmp_path, segment_cfg)
    assert len(m) == 6 and set(m.label) == {"class0", "class1", "class2"}
    assert set(m.group) == {"rec0", "rec1"} and (m.offset_s == 0).all()


@pytest.mark.parametrize("index, message", [
    ("{not json", "dataset.json: invalid JSON"),
    ('{"clips": []}', 'expected {"audio": \\[entry, ...\\]}'),
    ('{"audio": [{"file_name": "x.wav"}]}', "entry 0: needs keys file_name and data_type"),
    ('{"audio": [{"file_name": "../../etc/passwd", "data_type": "test_data", "dataset": "test_b", "class": "a"}]}',
     "entry 0: path '../../etc/passwd' escapes the data root"),
    ('{"audio": [{"file_name": "gone.wav", "data_type": "test_data", "dataset": "test_b", "class": "a"}]}',
     "gone.wav: audio file not found"),
    ('{"audio": [{"file_name": "a.wav", "data_type": "test_data", "dataset": "test_b", "class": ""}]}',
     "entry 0: test clip 'a.wav' has no class"),
])
def test_bad_dataset_json(tmp_path, segment_cfg, index, message):
    (tmp_path / "dataset.json").write_text(index)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        ingest.build_manifest(_json_spec(group_pattern=None), tmp_path, segment_cfg)


def test_one_class_test_set_is_refused(tmp_path, segment_cfg):
    write_tone(tmp_path / "audio" / "rec1.wav", seconds=4)
    _raven(tmp_path / "ann" / "rec1.Table.1.selections.txt", [(1, 0.0, 4.0, "healthy")])
    with pytest.raises(ValueError, match="test set needs at least 2 classes"):
        ingest.build_manifest(_raven_spec(), tmp_path, segment_cfg)


def test_folders_unlabelled_and_per_class(tmp_path, segment_cfg):
    write_tone(tmp_path / "pre" / "siteA" / "a.wav", seconds=5)
    write_tone(tmp_path / "pre" / "siteB" / "deep" / "b.flac", seconds=4)
    spec = dataset_spec(**{"id": "pretrain", "role": "pretrain", "format": "folders", "path": "pre", "label_from_folder": False,
            "site": None, "extensions": ["wav", "flac"], "shards": 2})
    m, _ = ingest.build_manifest(spec, tmp_path, segment_cfg)
    assert len(m) == 4 and set(m.site) == {"siteA", "siteB"} and m.label.isna().all()
    with pytest.raises(ValueError, match="escapes the data root"):
        ingest.build_manifest(replace(spec, path="../"), tmp_path / "pre", segment_cfg)


def test_recordings_shorter_than_a_clip_give_a_named_error(tmp_path, segment_cfg):
    write_tone(tmp_path / "pre" / "a.wav", seconds=1.0)
    spec = dataset_spec(**{"id": "pretrain", "role": "pretrain", "format": "folders", "path": "pre", "label_from_folder": False,
            "site": None, "extensions": ["wav"], "shards": 1})
    with pytest.raises(ValueError, match="dataset pretrain: no clips"):
        ingest.build_manifest(spec, tmp_path, segment_cfg)
    assert len(ingest.build_manifest(spec, tmp_path, replace(segment_cfg, tail="pad"))[0]) == 1


def _clips(root, names, seconds=2.0):
    """Pre-cut clip files (one class folder each), distinct audio per file."""
    for i, name in enumerate(names):
        write_tone(root / name, seconds=seconds, freq=200 + 50 * i, seed=i)


def test_dataset_json_order_is_kept_as_entry(tmp_path):
    _clips(tmp_path, ["c/z.wav", "c/a.wav", "c/m.wav"])
    entries = [{"file_name": f"c/{n}.wav", "class": "class0", "data_type": "test_data"} for n in "zam"]
    entries[1]["class"] = "class1"
    (tmp_path / "dataset.json").write_text(__import__("json").dumps({"audio": entries}))
    spec = dataset_spec(id="test_x", role="test", format="dataset_json", path="dataset.json", data_type="test_data")
    m, _ = ingest.build_manifest(spec, tmp_path, SEG)
    assert dict(zip(m["source"], m["entry"])) == {"c/z.wav": 0, "c/a.wav": 1, "c/m.wav": 2}


def folder_spec(**kw):
    return dataset_spec(id="pretrain", role="pretrain", format="folders", path="a", **kw)


def build(tmp_path, spec, on_bad="error"):
    """Ingest + cache of one shard; returns (manifest, report, index)."""
    m, report = ingest.build_manifest(spec, tmp_path, SEG, on_bad)
    out = tmp_path / "cache"
    index = cache.build_shard(m, 0, Audio(str(tmp_path), 1.92, "mean"), SPEC, cache.ShardFiles(out / "wave.npy", out / "mel.npy", out / "index.parquet"), on_bad)
    return m, report, index


def test_sample_rate_below_range(tmp_path):
    write_tone(tmp_path / "a" / "x.wav", sr=1000, seconds=3.0, freq=100)
    with pytest.raises(ValueError, match=r"x.wav: sample rate 1000 Hz outside 2000-384000 Hz"):
        build(tmp_path, folder_spec())


def csv_spec(**kw):
    return dataset_spec(id="test_c", role="test", format="csv", path="labels.csv", **kw)


def test_csv_manifest_with_mapped_columns(tmp_path):
    write_tone(tmp_path / "rec" / "5783.230315123000.wav", seconds=10)
    write_tone(tmp_path / "rec" / "b.wav", seconds=4)
    pd.DataFrame({"path": ["rec/5783.230315123000.wav", "rec/5783.230315123000.wav", "rec/b.wav"],
                  "t0": [0.0, 5.0, None], "t1": [4.0, 9.0, None], "sound": ["fish", "ambient", "fish"],
                  "site": ["x", "x", "y"]}).to_csv(tmp_path / "labels.csv", index=False)
    m, _ = ingest.build_manifest(csv_spec(columns={"file": "path", "start": "t0", "end": "t1", "label": "sound"}),
                                 tmp_path, SEG)
    assert list(m.label) == ["fish", "fish", "ambient", "ambient", "fish", "fish"]
    assert list(m.offset_s) == [0.0, 1.92, 5.0, 6.92, 0.0, 1.92]
    ts = m[m.source.str.contains("5783")].start_time
    assert str(ts.iloc[0]) == "2023-03-15 12:30:00" and str(ts.iloc[2]) == "2023-03-15 12:30:05"
    assert m[m.source == "rec/b.wav"].start_time.isna().all()


@pytest.mark.parametrize("table, message", [
    ("file,start,end,label\nrec/a.wav,0,2,\n", "labels.csv: row 2: empty label in column 'label'"),
    ("file,start,end,label\nrec/a.wav,3,1,fish\n", "labels.csv: row 2: invalid times start=3.0 end=1.0"),
    ("file,start,end,label\nrec/a.wav,zero,1,fish\n", "labels.csv: row 2: start 'zero' is not a number"),
    ("path,label\nrec/a.wav,fish\n", r"labels.csv: table lacks column\(s\) \['file'\]"),
    ("file,label\n../x.wav,fish\n", "labels.csv: row 2: path '../x.wav' escapes the data root"),
    ("file,label\nrec/gone.wav,fish\n", "gone.wav: audio file not found"),
    ("file,label\nrec/a.wav,fish\nrec/a.wav,fish\n", "dataset test_c: duplicate clip ids, e.g. 'rec/a.wav@0'"),
    ("file,label\nrec/a.wav,fish\nrec/b.wav,shark\n", r"dataset test_c: unknown label\(s\) \['shark'\]"),
    ('file,label\n"rec/a.wav,fish\n', "labels.csv: cannot parse as a table"),
])
def test_bad_csv_rows_are_named(tmp_path, table, message):
    write_tone(tmp_path / "rec" / "a.wav", seconds=4)
    write_tone(tmp_path / "rec" / "b.wav", seconds=4)
    (tmp_path / "labels.csv").write_text(table)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        ingest.build_manifest(csv_spec(labels=["fish", "ambient"]), tmp_path, SEG)


def test_missing_file_is_skipped_when_asked(tmp_path):
    write_tone(tmp_path / "rec" / "a.wav", seconds=4)
    write_tone(tmp_path / "rec" / "b.wav", seconds=4)
    (tmp_path / "labels.csv").write_text("file,label\nrec/a.wav,fish\nrec/gone.wav,fish\nrec/b.wav,ambient\n")
    m, report = ingest.build_manifest(csv_spec(), tmp_path, SEG, "skip")
    assert set(m.source) == {"rec/a.wav", "rec/b.wav"}
    assert report["problems"][0]["entry"].endswith("labels.csv: row 3")


MARRS = REPO / "tests/data/marrs_sonotypes"


@pytest.fixture(scope="module")
def marrs_cache(tmp_path_factory):
    """Folder-per-class ingest of real MARRS fish sounds -> cache."""
    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(**{"id": "test_marrs", "role": "test", "format": "folders", "path": ".", "label_from_folder": True,
            "site": None, "extensions": ["wav"], "shards": 1})
    seg = segment(tail="pad")
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    spec_cfg = spectrogram(batch_size=4)
    cache.build_shard(manifest, 0, Audio(str(MARRS), 1.92, "mean"), spec_cfg, cache.ShardFiles.in_dir(out))
    return manifest, CachedSet.open([out])


def test_marrs_ingest_reads_odd_names(marrs_cache):
    manifest, data = marrs_cache
    assert set(manifest.label) == {"grunt", "croak", "scrape"}
    assert any(s.endswith(".WAV") for s in manifest.source)
    assert len(data) == len(manifest) >= 6 * 3  # 5-7 s files -> 3-4 clips each
    assert np.isfinite(data.mels[0]).all() and data.mels[0].max() > 0
