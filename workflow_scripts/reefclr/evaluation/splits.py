"""Splits of a labelled set that keep each group (source recording, site, ...) on one side.

A split puts whole groups on the test side until every class holds at least
``test_fraction`` of its clips there, with every class on both sides. Repeats that draw the
same partition add no information, so repeats are distinct partitions: random draws while
there are many, and every valid partition exactly once (exhaustive) when there are fewer
than the repeats asked for.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MAX_ENUMERATED_GROUPS = 16  # 2**16 subsets: enumerated in well under a second


@dataclass
class SplitSet:
    """The splits of one test set: (train, test) positions, and how they were drawn."""

    splits: list[tuple[np.ndarray, np.ndarray]]
    exhaustive: bool  # every valid partition is here, once

    @property
    def distinct(self) -> int:
        return len(self.splits)


def _counts(labels: np.ndarray, groups: np.ndarray):
    classes, y = np.unique(labels, return_inverse=True)
    group_ids, g = np.unique(groups, return_inverse=True)
    per_group = np.zeros((len(group_ids), len(classes)), dtype=np.int64)
    np.add.at(per_group, (g, y), 1)
    return classes, g, per_group


def _valid(in_test: np.ndarray, per_group: np.ndarray, target: np.ndarray) -> bool:
    test, train = per_group[in_test].sum(0), per_group[~in_test].sum(0)
    return bool((test >= target).all() and (test > 0).all() and (train > 0).all())


def _lonely_error(classes, per_group) -> ValueError:
    lonely = [str(c) for c, n in zip(classes, (per_group > 0).sum(0)) if n < 2]
    return ValueError(f"no grouped split puts every class on both sides; classes found in a single group: "
                      f"{lonely or 'none (try a larger test fraction)'}")


def grouped_split(labels: np.ndarray, groups: np.ndarray, test_fraction: float, rng: np.random.Generator,
                  tries: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) positions: whole groups to the test side, in random order, while a class
    they hold is still below ``test_fraction`` of its clips there; every class on both sides."""
    classes, g, per_group = _counts(labels, groups)
    target = test_fraction * per_group.sum(0)
    for _ in range(tries):
        in_test = np.zeros(len(per_group), dtype=bool)
        have = np.zeros(len(classes))
        for k in rng.permutation(len(per_group)):
            if (per_group[k] > 0)[have < target].any():
                in_test[k] = True
                have += per_group[k]
            if (have >= target).all():
                break
        test_counts, train_counts = per_group[in_test].sum(0), per_group[~in_test].sum(0)
        if (test_counts > 0).all() and (train_counts > 0).all():
            return np.flatnonzero(~in_test[g]), np.flatnonzero(in_test[g])
    raise _lonely_error(classes, per_group)


def enumerate_partitions(labels: np.ndarray, groups: np.ndarray, test_fraction: float,
                         limit: int | None = None) -> list[np.ndarray] | None:
    """Every minimal valid test side (a boolean mask over the sorted groups): it meets the
    test fraction of every class, leaves every class on the training side, and loses that
    if any one of its groups is removed. None when there are too many groups to enumerate,
    or more than ``limit`` such sides."""
    classes, _, per_group = _counts(labels, groups)
    n = len(per_group)
    if n > MAX_ENUMERATED_GROUPS:
        return None
    target = test_fraction * per_group.sum(0)
    found = []
    for size in range(1, n):
        for combo in itertools.combinations(range(n), size):
            mask = np.zeros(n, dtype=bool)
            mask[list(combo)] = True
            if not _valid(mask, per_group, target):
                continue
            minimal = True
            for k in combo:
                mask[k] = False
                # still meeting the test fraction without k: k is not needed
                if (per_group[mask].sum(0) >= target).all() and (per_group[mask].sum(0) > 0).all():
                    minimal = False
                mask[k] = True
                if not minimal:
                    break
            if minimal:
                found.append(mask.copy())
                if limit is not None and len(found) > limit:
                    return None
    return found


def repeated_splits(labels: np.ndarray, groups: np.ndarray, repeats: int, test_fraction: float,
                    seed: int) -> SplitSet:
    """Up to ``repeats`` distinct grouped splits, the same for every embedder and probe.

    When the valid partitions can be enumerated and are no more than ``repeats``, each is used
    once (exhaustive); otherwise random draws seeded by (seed, draw), duplicates skipped."""
    labels, groups = np.asarray(labels).astype(str), np.asarray(groups).astype(str)
    _, g, per_group = _counts(labels, groups)
    every = enumerate_partitions(labels, groups, test_fraction, limit=repeats)
    if every is not None and len(every) <= repeats:
        if not every:
            raise _lonely_error(np.unique(labels), per_group)
        return SplitSet([(np.flatnonzero(~m[g]), np.flatnonzero(m[g])) for m in every], exhaustive=True)
    splits, seen = [], set()
    for draw in range(50 * repeats):
        train, test = grouped_split(labels, groups, test_fraction, np.random.default_rng([seed, draw]))
        key = tuple(np.unique(g[test]))
        if key not in seen:
            seen.add(key)
            splits.append((train, test))
        if len(splits) == repeats:
            break
    return SplitSet(splits, exhaustive=False)


def leave_out_rare(table: pd.DataFrame, policy: str, grouped: bool) -> tuple[pd.DataFrame, dict[str, str]]:
    """With ``policy`` drop, the clips of classes an evaluation cannot use: fewer than 2 clips
    (a stratified split), or, for grouped splits, found in a single group. Returns the kept
    rows and {class: reason} of what was left out (nothing with ``error``: the data check
    stops such data before any job)."""
    if policy != "drop":
        return table, {}
    labels = table["label"].astype(str)
    counts = labels.value_counts()
    reasons = {c: f"{n} clip(s): a split needs at least 2" for c, n in counts.items() if n < 2}
    if grouped:
        groups = table.groupby(labels)["group"].nunique()
        reasons |= {c: "found in a single group" for c, n in groups.items() if n < 2 and c not in reasons}
    if reasons:
        log.warning("left out (evaluation.rare_classes: drop): %s", reasons)
    kept = table[~labels.isin(list(reasons))].reset_index(drop=True)
    if kept["label"].nunique() < 2:
        raise ValueError(f"fewer than 2 classes left after leaving out {reasons}")
    return kept, reasons


def stratified_subsample(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Sorted positions of about ``n`` items, each class in its proportion (at least one each)."""
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(y):
        pos = np.flatnonzero(y == c)
        take = max(1, int(round(n * len(pos) / len(y))))
        keep.append(rng.choice(pos, size=min(take, len(pos)), replace=False))
    return np.sort(np.concatenate(keep))
