"""reefclr.data.grouping: how clips are grouped (file, pattern, directory, site, user map, none)."""

import pytest

from helpers import dataset_spec, segment, write_tone
from reefclr.data import datacheck, grouping, ingest


SEG = segment(tail="drop")


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


def test_auto_grouping_and_the_grouping_label():
    assert grouping.method(_test_spec()) == "file"
    assert grouping.method(_test_spec(group_pattern=r"^(rec\d)_")) == "pattern"
    assert grouping.method(_test_spec(group_map="groups.csv")) == "map"
    assert grouping.method(_test_spec(group_by="site", group_pattern=r"^(rec\d)_")) == "site"  # an explicit choice
    assert grouping.label("file", clips=10, groups=3) == "recording" and grouping.label("map", 10, 3) == "user map"
    assert grouping.label("pattern", clips=4, groups=4) == "none"  # every clip its own group


@pytest.mark.parametrize("table, message", [
    (None, "groups.csv: group map not found"),
    ("name,group\na.wav,g1\n", r"groups.csv: group map lacks column\(s\) \['file'\]"),
    ("file,group\na.wav,g1\nb.wav,\n", "groups.csv: row 3 has an empty file or group"),
])
def test_a_bad_group_map_is_named(tmp_path, table, message):
    if table is not None:
        (tmp_path / "groups.csv").write_text(table)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        grouping.read_group_map(tmp_path / "groups.csv")
