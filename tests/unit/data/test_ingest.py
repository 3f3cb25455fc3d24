"""Segmentation, overlap labelling and the ingest adapters on real files."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import dataset_spec, write_tone
from reefclr.data import ingest
from reefclr.data.segment import clip_offsets, label_clips


def test_clip_offsets_drop_and_pad():
    np.testing.assert_allclose(clip_offsets(6.0, 1.92, 1.92, "drop"), [0, 1.92, 3.84])
    np.testing.assert_allclose(clip_offsets(6.0, 1.92, 1.92, "pad"), [0, 1.92, 3.84, 5.76])
    np.testing.assert_allclose(clip_offsets(5.76, 1.92, 1.92, "pad"), [0, 1.92, 3.84])
    np.testing.assert_allclose(clip_offsets(4.0, 1.92, 0.96, "drop"), [0, 0.96, 1.92])
    assert len(clip_offsets(1.0, 1.92, 1.92, "drop")) == 0
    np.testing.assert_allclose(clip_offsets(1.0, 1.92, 1.92, "pad"), [0])


def test_overlap_labels():
    events = pd.DataFrame({"begin_s": [0.5, 2.5, 5.5], "end_s": [1.0, 3.0, 6.5], "label": ["fish", "fish", "boat"]})
    # clip 0: fish fully inside; clip 1: fish fully inside; clip 2 [3.84,5.76]: 0.26 s of a 1 s boat -> ambiguous
    labels, dropped = label_clips(np.array([0, 1.92, 3.84, 7.0]), 1.92, events, 0.5, "ambient")
    assert labels == ["fish", "fish", None, "ambient"]
    assert dropped == {"ambiguous_overlap": 1, "no_annotation": 0}
    labels, dropped = label_clips(np.array([7.0]), 1.92, events, 0.5, None)
    assert labels == [None] and dropped["no_annotation"] == 1


def _raven(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["Selection", "Begin Time (s)", "End Time (s)", "Annotation"]).to_csv(
        path, sep="\t", index=False)


def _raven_spec(**kw):
    spec = dataset_spec(**{"id": "test_x", "role": "test", "format": "raven", "audio": "audio", "annotations": "ann",
            "label_column": "Annotation", "background_label": "ambient", "site": None,
            "extensions": ["wav"], "shards": 3})
    return spec | kw


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


def _json_spec(**kw):
    spec = dataset_spec(**{"id": "test_b", "role": "test", "format": "dataset_json", "path": "dataset.json",
            "data_type": "test_data", "dataset": "test_b", "group_pattern": r"^(rec\d+)_", "site": None,
            "extensions": ["wav"], "shards": 1})
    return spec | kw


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
        ingest.build_manifest(spec | {"path": "../"}, tmp_path / "pre", segment_cfg)


def test_recordings_shorter_than_a_clip_give_a_named_error(tmp_path, segment_cfg):
    write_tone(tmp_path / "pre" / "a.wav", seconds=1.0)
    spec = dataset_spec(**{"id": "pretrain", "role": "pretrain", "format": "folders", "path": "pre", "label_from_folder": False,
            "site": None, "extensions": ["wav"], "shards": 1})
    with pytest.raises(ValueError, match="dataset pretrain: no clips"):
        ingest.build_manifest(spec, tmp_path, segment_cfg)
    assert len(ingest.build_manifest(spec, tmp_path, segment_cfg | {"tail": "pad"})[0]) == 1


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


def test_a_raven_export_with_two_views_counts_each_selection_once(tmp_path):
    """Raven Pro writes one Waveform and one Spectrogram row per selection."""
    from reefclr.data.raven import read_raven_table

    rows = [{"Selection": s, "View": v, "Channel": 1, "Begin Time (s)": b, "End Time (s)": b + 1,
             "Annotation": "croak"} for s, b in ((1, 0.5), (2, 3.0)) for v in ("Waveform 1", "Spectrogram 1")]
    pd.DataFrame(rows).to_csv(tmp_path / "r.Table.1.selections.txt", sep="\t", index=False)
    table = read_raven_table(tmp_path / "r.Table.1.selections.txt", "Annotation")
    assert table["begin_s"].tolist() == [0.5, 3.0]
