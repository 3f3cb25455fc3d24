"""reefclr.core.resample: bootstrap resamples of whole groups (recordings)."""

import numpy as np

from reefclr.core.resample import RESAMPLES, group_resamples


def test_each_resample_draws_whole_groups_with_replacement_as_many_as_there_are():
    groups = np.array(["a", "a", "a", "b", "c", "c"])
    draws = list(group_resamples(groups, seed=0, n=200))
    assert len(draws) == 200
    for idx in draws:
        drawn = groups[idx]
        # whole groups: every member of a drawn group, as many times as the group was drawn
        times = {g: (drawn == g).sum() / (groups == g).sum() for g in set(drawn)}
        assert all(t == int(t) for t in times.values()) and sum(times.values()) == 3
    assert any(len(set(groups[idx])) < 3 for idx in draws)  # with replacement: some groups left out


def test_resamples_are_seeded_and_default_to_resamples():
    groups = np.repeat(np.arange(5), 2)
    first = list(group_resamples(groups, seed=3))
    assert len(first) == RESAMPLES
    assert all(np.array_equal(a, b) for a, b in zip(first, group_resamples(groups, seed=3)))
    assert not all(np.array_equal(a, b) for a, b in zip(first, group_resamples(groups, seed=4)))
