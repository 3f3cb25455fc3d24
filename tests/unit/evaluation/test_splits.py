"""reefclr.evaluation.splits: grouped splits keep each recording on one side; rare classes are left out."""

import numpy as np
import pandas as pd
import pytest

from helpers import REPO, dataset_spec, segment
from reefclr.data import ingest
from reefclr.evaluation import splits


MARRS = REPO / "tests/data/marrs_sonotypes"


@pytest.fixture(scope="module")
def marrs_all():
    """Real MARRS recordings, a folder per sound type: croak 2 files, grunt 1, scrape 3."""
    spec = dataset_spec(id="test_marrs", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    seg = segment(tail="pad")
    return ingest.build_manifest(spec, MARRS, seg)[0]


@pytest.fixture(scope="module")
def marrs_manifest(marrs_all):
    """The sound types recorded in at least two files."""
    return marrs_all[marrs_all.label != "grunt"].reset_index(drop=True)


def _synthetic_groups(recordings_per_class: int, clips: int = 6, classes: int = 2):
    """Labels and groups of ``classes`` classes, each in its own recordings of ``clips`` clips."""
    per_class = recordings_per_class * clips
    labels = np.repeat([f"c{k}" for k in range(classes)], per_class)
    groups = np.array([f"{lab}_r{(i % per_class) // clips}" for i, lab in enumerate(labels)])
    return labels, groups


def test_no_recording_on_both_sides_of_real_manifests(marrs_manifest):
    """2 croak and 3 scrape recordings: 5 distinct valid splits exist, all used once."""
    labels, groups = marrs_manifest["label"].to_numpy(), marrs_manifest["group"].to_numpy()
    got = splits.repeated_splits(labels, groups, repeats=20, test_fraction=0.2, seed=0)
    assert got.exhaustive and got.distinct == len(got.splits) < 20
    for train, test in got.splits:
        assert not set(groups[train]) & set(groups[test])
        assert set(labels[train]) == set(labels[test]) == set(labels)  # every class on both sides
        assert len(train) + len(test) == len(labels)
    assert len({tuple(test) for _, test in got.splits}) == got.distinct  # no split twice
    again = splits.repeated_splits(labels, groups, repeats=20, test_fraction=0.2, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(got.splits, again.splits))  # same for every embedder


def test_many_recordings_give_distinct_random_splits():
    labels, groups = _synthetic_groups(recordings_per_class=12)
    got = splits.repeated_splits(labels, groups, repeats=10, test_fraction=0.2, seed=0)
    assert not got.exhaustive and got.distinct == 10
    assert len({tuple(np.unique(groups[test])) for _, test in got.splits}) == 10


def test_few_recordings_are_enumerated_exhaustively():
    """3 recordings per class, test fraction 0.2: one recording of each class, 3 x 3 = 9 splits."""
    labels, groups = _synthetic_groups(recordings_per_class=3)
    got = splits.repeated_splits(labels, groups, repeats=10, test_fraction=0.2, seed=0)
    assert got.exhaustive and got.distinct == 9
    sides = {tuple(np.unique(groups[test])) for _, test in got.splits}
    assert len(sides) == 9 and all(len(s) == 2 for s in sides)


def test_a_class_in_one_recording_is_an_error_that_names_it(marrs_all):
    with pytest.raises(ValueError, match=r"single group: \['grunt'\]"):
        splits.grouped_split(marrs_all.label.to_numpy(), marrs_all.group.to_numpy(), 0.2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"single group: \['grunt'\]"):
        splits.repeated_splits(marrs_all.label.to_numpy(), marrs_all.group.to_numpy(), 5, 0.2, 0)


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
