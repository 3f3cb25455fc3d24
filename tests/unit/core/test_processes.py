"""reefclr.core.processes: where a process stands in a data-parallel run."""

import dataclasses

import pytest

from reefclr.core.processes import Group


def test_one_process_is_the_main_one_and_rank_zero_leads_a_group():
    alone = Group()
    assert (alone.rank, alone.world, alone.local_rank, alone.main) == (0, 1, 0, True)
    assert Group(rank=0, world=4, local_rank=0).main
    assert [Group(rank=r, world=4, local_rank=r % 2).main for r in range(4)] == [True, False, False, False]


def test_a_group_is_frozen_and_compares_by_value():
    g = Group(1, 2, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.rank = 0
    assert g == Group(rank=1, world=2, local_rank=1) and g != Group(1, 2, 0)
