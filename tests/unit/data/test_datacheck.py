"""Small and uneven labelled sets: the data check predicts what would fail later, names the
class, its file and the fix, and the gate stops the run; label_map and rare_classes: drop
are the ways through."""

import pandas as pd
import pytest
from helpers import dataset_spec, write_tone
from reefclr.data import datacheck, ingest
from reefclr.evaluation import splits

SEG = {"clip_s": 1.92, "hop_s": 1.92, "tail": "drop", "min_overlap": 0.5, "channel": "mean"}
NEEDS = {"test_size": 0.2, "test_fraction": 0.2, "shots": [1, 2, 4, 8, 16, 32], "batch_size": 64,
         "rare_classes": "error"}


def _raven(path, rows):
    pd.DataFrame({"Selection": range(1, len(rows) + 1), "View": "Spectrogram 1", "Channel": 1,
                  "Begin Time (s)": [r[0] for r in rows], "End Time (s)": [r[1] for r in rows],
                  "Annotation": [r[2] for r in rows]}).to_csv(path, sep="\t", index=False)


def typo_set(root, label_map=None):
    """4 recordings with Raven tables: 'fish' selections, and one 'Fish call' (a typo)."""
    (root / "ann").mkdir(parents=True)
    for i in range(4):
        write_tone(root / "audio" / f"rec{i}.wav", seconds=12, freq=300 + 100 * i, seed=i)
        rows = [(0.1, 1.8, "fish"), (4.0, 5.8, "fish")] + ([(8.0, 9.8, "Fish call")] if i == 2 else [])
        _raven(root / "ann" / f"rec{i}.Table.1.selections.txt", rows)
    spec = dataset_spec(id="test_typo", role="test", format="raven", audio="audio", annotations="ann",
                        background_label="ambient", label_map=label_map or {})
    return ingest.build_manifest(spec, root, SEG)[1]


def test_a_typo_class_stops_the_run_naming_the_class_its_file_and_the_fix(tmp_path):
    report = typo_set(tmp_path)
    text, summary = datacheck.summarise([report], NEEDS)
    errors = [p for p in summary["problems"] if p["severity"] == "error"]
    assert {p["entry"] for p in errors} == {"class 'Fish call'"}
    assert all("audio/rec2.wav" in p["reason"] for p in errors)  # its single recording
    assert any("study's stratified split needs at least 2" in p["reason"] for p in errors)
    assert any("found in a single group" in p["reason"] for p in errors)
    assert all("label_map" in p["action"] and "rare_classes: drop" in p["action"] for p in errors)
    assert "**error** test_typo: class 'Fish call'" in text and "(2 that stop the run)" in text
    with pytest.raises(ValueError, match=r"test_typo: class 'Fish call': 1 clip \(in audio/rec2.wav\)"):
        datacheck.gate(summary, "warn")


def test_label_map_merges_the_typo_and_the_gate_passes(tmp_path):
    report = typo_set(tmp_path, label_map={"Fish call": "fish"})
    assert set(report["classes"]) == {"ambient", "fish"} and report["classes"]["fish"] == 9
    _, summary = datacheck.summarise([report], NEEDS)
    assert not [p for p in summary["problems"] if p["severity"] == "error"]
    datacheck.gate(summary, "warn")


def test_label_map_to_null_drops_the_clips(tmp_path):
    report = typo_set(tmp_path, label_map={"Fish call": None})
    assert set(report["classes"]) == {"ambient", "fish"} and report["classes"]["fish"] == 8


def test_labels_that_differ_only_in_case_spacing_or_punctuation():
    report = {"dataset": "test_x", "role": "test", "clips": 40, "files": [],
              "classes": {"Grunt": 10, "grunt ": 10, "g-runt": 10, "knock": 10},
              "groups_per_class": {"Grunt": 3, "grunt ": 3, "g-runt": 3, "knock": 3}}
    (problem,) = [p for p in datacheck.predict([report], NEEDS) if p["entry"] == "labels"]
    assert problem["reason"] == "['Grunt', 'grunt ', 'g-runt'] differ only in case, spacing or punctuation"
    assert "label_map" in problem["action"] and problem["severity"] == "warning"


def test_rare_classes_drop_turns_the_errors_into_warnings(tmp_path):
    report = typo_set(tmp_path)
    _, summary = datacheck.summarise([report], NEEDS | {"rare_classes": "drop"})
    rare = [p for p in summary["problems"] if p["entry"] == "class 'Fish call'"]
    assert rare and all(p["severity"] == "warning" and p["action"].startswith("left out") for p in rare)
    datacheck.gate(summary, "warn")


def test_small_sets_few_shot_short_files_and_a_small_pretraining_set(tmp_path):
    for i in range(3):
        write_tone(tmp_path / "pre" / f"p{i}.wav", seconds=4, seed=i)
    write_tone(tmp_path / "pre" / "short.wav", seconds=1.0, seed=9)  # shorter than a clip
    pre = ingest.build_manifest(dataset_spec(id="pretrain", role="pretrain", format="folders", path="pre",
                                             extensions=["wav"]), tmp_path, SEG)[1]
    typo = typo_set(tmp_path / "t", label_map={"Fish call": "fish"})
    _, summary = datacheck.summarise([pre, typo], NEEDS)
    reasons = {p["entry"]: p["reason"] for p in summary["problems"]}
    assert "gave no clip" in reasons["pre/short.wav"]
    assert "6 pretraining clips, fewer than pretrain.batch_size 64" in reasons["clips"]
    assert "k = [8, 16, 32] exceed" in reasons["few-shot"]  # 9 fish clips, 20% to test: 7 at most
    assert all(p["severity"] == "warning" for p in summary["problems"])


def test_a_test_split_too_small_for_its_classes_is_an_error(tmp_path):
    report = {"dataset": "test_tiny", "role": "test", "clips": 6, "files": [],
              "classes": {"a": 2, "b": 2, "c": 2}, "groups_per_class": {"a": 2, "b": 2, "c": 2}}
    (problem,) = [p for p in datacheck.predict([report], NEEDS) if p["severity"] == "error"]
    assert "a 20% test split of 2 cannot hold one clip of each of the 3 classes" in problem["reason"]


def test_leave_out_rare_classes():
    table = pd.DataFrame({"label": ["a"] * 4 + ["b"] * 4 + ["c"] + ["d"] * 4,
                          "group": ["g1", "g2"] * 2 + ["h1"] * 4 + ["k"] + ["d1", "d2"] * 2})
    kept, left = splits.leave_out_rare(table, "drop", grouped=False)
    assert left == {"c": "1 clip(s): a split needs at least 2"} and set(kept.label) == {"a", "b", "d"}
    kept, left = splits.leave_out_rare(table, "drop", grouped=True)
    assert set(left) == {"b", "c"} and left["b"] == "found in a single group" and set(kept.label) == {"a", "d"}
    with pytest.raises(ValueError, match="fewer than 2 classes left"):
        splits.leave_out_rare(table[table.label.isin(["a", "b", "c"])], "drop", grouped=True)
    assert splits.leave_out_rare(table, "error", grouped=True) == (table, {})
