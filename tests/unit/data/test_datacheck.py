"""reefclr.data.datacheck: what would fail later, named with its fix; the gate; the leakage check."""

import shutil
from dataclasses import replace

import pandas as pd
import pytest

from helpers import dataset_spec, segment, write_tone
from reefclr.data import datacheck, ingest


SEG = segment(tail="drop")


NEEDS = datacheck.Needs(test_size=0.2, rare_classes="error")
PLAN = datacheck.Plan(test_fraction=0.2, shots=(1, 2, 4, 8, 16, 32), batch_size=64)


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
    _, summary = datacheck.summarise([report], replace(NEEDS, rare_classes="drop"))
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
    assert all(p["severity"] == "warning" for p in summary["problems"])
    text, plan = datacheck.plan([pre, typo], PLAN)  # what the run asks: advisory, in plan.md
    notes = {n["entry"]: n["reason"] for n in plan["warnings"]}
    assert "6 pretraining clips, fewer than pretrain.batch_size 64" in notes["clips"]
    assert "k = [8, 16, 32] exceed" in notes["few-shot"]  # 9 fish clips, 20% to test: 7 at most
    assert "k = [8, 16, 32] exceed" in text and "no embedder needs pretraining" in text


def test_a_test_split_too_small_for_its_classes_is_an_error(tmp_path):
    report = {"dataset": "test_tiny", "role": "test", "clips": 6, "files": [],
              "classes": {"a": 2, "b": 2, "c": 2}, "groups_per_class": {"a": 2, "b": 2, "c": 2}}
    (problem,) = [p for p in datacheck.predict([report], NEEDS) if p["severity"] == "error"]
    assert "a 20% test split of 2 cannot hold one clip of each of the 3 classes" in problem["reason"]


def _clips(root, names, seconds=2.0):
    """Pre-cut clip files (one class folder each), distinct audio per file."""
    for i, name in enumerate(names):
        write_tone(root / name, seconds=seconds, freq=200 + 50 * i, seed=i)


def _test_spec(**kw):
    return dataset_spec(id="test_x", role="test", format="folders", path="clips", label_from_folder=True,
                        extensions=["wav"], **kw)


NAMES = [f"clips/{c}/{c}_rec{r}_{i}.wav" for c in ("a", "b") for r in (1, 2) for i in range(2)]


def _leaky(tmp_path):
    """A pretraining folder, and a test set holding one of its files, a renamed copy, and new clips."""
    _clips(tmp_path, NAMES)
    write_tone(tmp_path / "pre" / "p1.wav", seconds=4, freq=900, seed=50)
    write_tone(tmp_path / "pre" / "p2.wav", seconds=4, freq=950, seed=51)
    shutil.copy(tmp_path / "pre" / "p2.wav", tmp_path / "clips" / "a" / "renamed.wav")  # same audio, new name
    pre = dataset_spec(id="pretrain", role="pretrain", format="folders", path="pre", extensions=["wav"])
    test = dataset_spec(id="test_x", role="test", format="folders", path="clips", label_from_folder=True,
                        extensions=["wav"])
    return [ingest.build_manifest(s, tmp_path, SEG)[1] for s in (pre, test)]


def test_leakage_lists_test_clips_shared_with_pretraining(tmp_path):
    reports = _leaky(tmp_path)
    text, summary = datacheck.summarise(reports)
    (leak,) = summary["leakage"]
    assert leak["dataset"] == "test_x" and leak["same_audio"] == 2 and leak["clips"] == 2  # 4 s: 2 clips
    assert leak["example"] == "clips/a/renamed.wav" and leak["of"] == 10
    assert "## Leakage" in text and "| test_x | 2 | 10 |" in text
    datacheck.enforce(summary, "warn")
    with pytest.raises(ValueError, match=r"2 of 10 clips of test set test_x .* \(e\.g\. clips/a/renamed\.wav\)"):
        datacheck.enforce(summary, "error")


def test_the_same_file_in_both_roles_is_leakage(tmp_path):
    _clips(tmp_path, NAMES)
    pre = dataset_spec(id="pretrain", role="pretrain", format="folders", path="clips", extensions=["wav"])
    reports = [ingest.build_manifest(s, tmp_path, SEG)[1] for s in (pre, _test_spec())]
    (leak,) = datacheck.leakage(reports)
    assert leak["same_file"] == leak["same_audio"] == leak["clips"] == 8


def test_no_leakage_says_none(tmp_path):
    _clips(tmp_path, NAMES)
    write_tone(tmp_path / "pre" / "p1.wav", seconds=4, freq=900, seed=50)
    pre = dataset_spec(id="pretrain", role="pretrain", format="folders", path="pre", extensions=["wav"])
    reports = [ingest.build_manifest(s, tmp_path, SEG)[1] for s in (pre, _test_spec())]
    text, summary = datacheck.summarise(reports)
    assert summary["leakage"] == [] and "- none: no test clip shares" in text


def test_data_check_reports_recordings_and_groups_per_class_and_warns_of_confounding(tmp_path):
    names = [f"test_data.fp.class{k}.site{s}day{d}.5210.{i}.wav"
             for k, sites in ((0, "bc"), (1, "de")) for s in sites for d in (1, 2) for i in range(2)]
    for k in (0, 1):
        for i, name in enumerate(n for n in names if f"class{k}" in n):
            write_tone(tmp_path / "clips" / f"class{k}" / name, seconds=1.92, freq=200 + 20 * i, seed=i)
    spec = _test_spec(group_by="pattern", group_pattern=r"\.class\d+\.(site[^.]*?)day\d+\.")
    site = ingest.build_manifest(spec, tmp_path, SEG)[1]
    assert site["groups_per_class"] == {"class0": 2, "class1": 2}
    assert site["recordings_per_class"] == {"class0": 8, "class1": 8}
    assert datacheck.confounded(site)
    text, summary = datacheck.summarise([site], NEEDS)
    assert "| class | clips | recordings | groups |" in text and "| class0 | 8 | 8 | 2 |" in text
    (warning,) = [p for p in summary["problems"] if "confounded" in p["reason"]]
    assert warning["severity"] == "warning" and "each of the 4 groups holds one class" in warning["reason"]
    assert summary["datasets"][0]["confounded"]
    # one group per recording: nothing coarser than a recording, no confounding warning
    per_file = _test_spec(group_by="file")
    report = ingest.build_manifest(per_file, tmp_path, SEG)[1]
    assert not datacheck.confounded(report)


def test_the_check_says_how_long_pretraining_will_take(tmp_path):
    from reefclr.training import estimate

    guess = estimate.on_cpu(dict(encoder="resnet50", width=16, batch_size=512, steps=5400, export_step=None), 224, 2)
    report = typo_set(tmp_path)
    text, plan = datacheck.plan([report], replace(PLAN, pretraining=guess.text()))
    assert "## Pretraining time" in text and guess.text() in text and plan["pretraining"] == guess.text()
    assert "results/data_check/plan.md" in datacheck.summarise([report], NEEDS)[0]
