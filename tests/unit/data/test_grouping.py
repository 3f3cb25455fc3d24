"""How clips are grouped (file, pattern, directory, site, user map, none) and the leakage check."""

import shutil

import pytest
from helpers import dataset_spec, write_tone
from reefclr.data import datacheck, ingest

SEG = {"clip_s": 1.92, "hop_s": 1.92, "tail": "drop", "min_overlap": 0.5, "channel": "mean"}


def _clips(root, names, seconds=2.0):
    """Pre-cut clip files (one class folder each), distinct audio per file."""
    for i, name in enumerate(names):
        write_tone(root / name, seconds=seconds, freq=200 + 50 * i, seed=i)


def _test_spec(**kw):
    return dataset_spec(id="test_x", role="test", format="folders", path="clips", label_from_folder=True,
                        extensions=["wav"], **kw)


NAMES = [f"clips/{c}/{c}_rec{r}_{i}.wav" for c in ("a", "b") for r in (1, 2) for i in range(2)]


def test_pre_cut_clips_grouped_by_file_say_none(tmp_path):
    _clips(tmp_path, NAMES)
    m, report = ingest.build_manifest(_test_spec(), tmp_path, SEG)
    assert report["grouping"] == "none" and report["groups"] == len(m) == 8
    text, summary = datacheck.summarise([report])
    assert "grouping: none" in text and "every clip is its own group" in text
    assert summary["problems"][0]["entry"] == "grouping"


@pytest.mark.parametrize("kw, groups, label", [
    ({"group_pattern": r"^([ab]_rec\d)_"}, {"a_rec1", "a_rec2", "b_rec1", "b_rec2"}, "pattern"),
    ({"group_by": "directory"}, {"clips/a", "clips/b"}, "directory"),
    ({"group_by": "site"}, {"a", "b"}, "site"),  # folders: the site is the first sub-folder
])
def test_groups_from_a_pattern_a_directory_or_the_site(tmp_path, kw, groups, label):
    _clips(tmp_path, NAMES)
    m, report = ingest.build_manifest(_test_spec(**kw), tmp_path, SEG)
    assert set(m["group"]) == groups and report["grouping"] == label
    assert report["groups_per_class"] == {"a": len(groups) // 2, "b": len(groups) // 2}


def test_groups_from_a_user_map_and_a_missing_entry_is_named(tmp_path):
    _clips(tmp_path, NAMES)
    rows = ["file,group"] + [f"{n.split('/')[-1]},{n.split('/')[-1][:6]}" for n in NAMES[:4]]
    rows += [f"{n},{n.split('/')[-1][:6]}" for n in NAMES[4:]]  # bare names, or paths from the data root
    (tmp_path / "groups.csv").write_text("\n".join(rows) + "\n")
    m, report = ingest.build_manifest(_test_spec(group_map="groups.csv"), tmp_path, SEG)
    assert report["grouping"] == "user map" and set(m["group"]) == {"a_rec1", "a_rec2", "b_rec1", "b_rec2"}
    (tmp_path / "groups.csv").write_text("\n".join(rows[:-1]) + "\n")
    with pytest.raises(ValueError, match=r"b_rec2_1.wav: not in the group map"):
        ingest.build_manifest(_test_spec(group_map="groups.csv"), tmp_path, SEG)


def test_a_name_that_misses_the_pattern_is_named(tmp_path):
    _clips(tmp_path, NAMES + ["clips/a/odd.wav"])
    with pytest.raises(ValueError, match=r"odd.wav: file name does not match group_pattern"):
        ingest.build_manifest(_test_spec(group_pattern=r"^([ab]_rec\d)_"), tmp_path, SEG)


def test_dataset_json_order_is_kept_as_entry(tmp_path):
    _clips(tmp_path, ["c/z.wav", "c/a.wav", "c/m.wav"])
    entries = [{"file_name": f"c/{n}.wav", "class": "class0", "data_type": "test_data"} for n in "zam"]
    entries[1]["class"] = "class1"
    (tmp_path / "dataset.json").write_text(__import__("json").dumps({"audio": entries}))
    spec = dataset_spec(id="test_x", role="test", format="dataset_json", path="dataset.json", data_type="test_data")
    m, _ = ingest.build_manifest(spec, tmp_path, SEG)
    assert dict(zip(m["source"], m["entry"])) == {"c/z.wav": 0, "c/a.wav": 1, "c/m.wav": 2}


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
