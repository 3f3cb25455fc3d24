"""reefclr.data.raven: Raven selection tables read one row per selection, bad rows named, tables written back."""

from dataclasses import replace

import pandas as pd
import pytest

from helpers import dataset_spec, write_tone
from reefclr.data import ingest
from reefclr.data.raven import read_raven_table, write_tables


def _raven(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["Selection", "Begin Time (s)", "End Time (s)", "Annotation"]).to_csv(
        path, sep="\t", index=False)


def _raven_spec(**kw):
    spec = dataset_spec(**{"id": "test_x", "role": "test", "format": "raven", "audio": "audio", "annotations": "ann",
            "label_column": "Annotation", "background_label": "ambient", "site": None,
            "extensions": ["wav"], "shards": 3})
    return replace(spec, **kw)


@pytest.mark.parametrize("rows, message", [
    ([(1, 2.0, 1.0, "fish")], "selection row 1: invalid times begin=2.0 end=1.0"),
    ([(1, 0.0, 1.0, "")], "selection row 1: empty label in column 'Annotation'"),
])
def test_bad_raven_rows_are_named(tmp_path, segment_cfg, rows, message):
    write_tone(tmp_path / "audio" / "rec1.wav", seconds=4)
    _raven(tmp_path / "ann" / "rec1.Table.1.selections.txt", rows)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest.build_manifest(_raven_spec(), tmp_path, segment_cfg)


def test_raven_missing_column_and_orphan_table(tmp_path, segment_cfg):
    write_tone(tmp_path / "audio" / "rec1.wav", seconds=4)
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "rec1.txt").write_text("Selection\tBegin Time (s)\n1\t0.0\n")
    with pytest.raises(ValueError, match=r"rec1.txt: Raven table lacks column\(s\) \['End Time \(s\)', 'Annotation'\]"):
        ingest.build_manifest(_raven_spec(), tmp_path, segment_cfg)
    (tmp_path / "ann" / "rec1.txt").unlink()
    _raven(tmp_path / "ann" / "other.Table.1.selections.txt", [(1, 0.0, 1.0, "fish")])
    with pytest.raises(ValueError, match="1 selections match no recording"):
        ingest.build_manifest(_raven_spec(), tmp_path, segment_cfg)


def test_a_raven_export_with_two_views_counts_each_selection_once(tmp_path):
    """Raven Pro writes one Waveform and one Spectrogram row per selection."""
    from reefclr.data.raven import read_raven_table

    rows = [{"Selection": s, "View": v, "Channel": 1, "Begin Time (s)": b, "End Time (s)": b + 1,
             "Annotation": "croak"} for s, b in ((1, 0.5), (2, 3.0)) for v in ("Waveform 1", "Spectrogram 1")]
    pd.DataFrame(rows).to_csv(tmp_path / "r.Table.1.selections.txt", sep="\t", index=False)
    table = read_raven_table(tmp_path / "r.Table.1.selections.txt", "Annotation")
    assert table["begin_s"].tolist() == [0.5, 3.0]


def test_tables_written_for_review_read_back_one_per_recording(tmp_path):
    folder = tmp_path / "raven"
    folder.mkdir()
    (folder / "stale.selections.txt").write_text("left from an earlier run")
    events = pd.DataFrame({"source": ["site1/b.wav", "site1/a.wav", "site1/a.wav"], "offset_s": [3.84, 0.0, 1.92],
                           "end_s": [5.76, 1.92, 3.84], "score": [0.9, 0.8, 0.7]})
    assert write_tables(events, folder, "fish", ["score"]) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["a.fish.selections.txt", "b.fish.selections.txt"]
    back = read_raven_table(folder / "a.fish.selections.txt", "Annotation")
    assert back[["begin_s", "end_s"]].values.tolist() == [[0.0, 1.92], [1.92, 3.84]]
    assert back["label"].tolist() == ["fish", "fish"] and back["begin_file"].tolist() == ["a.wav", "a.wav"]
    raw = pd.read_csv(folder / "a.fish.selections.txt", sep="\t", keep_default_na=False)
    assert raw["score"].tolist() == [0.8, 0.7] and raw["Review"].tolist() == ["", ""]  # a column to fill in
    assert raw["Selection"].tolist() == [1, 2] and not list(folder.glob("*.tmp"))
