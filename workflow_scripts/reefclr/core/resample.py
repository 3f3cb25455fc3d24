"""Bootstrap resamples of whole groups (recordings): the positions of each resample."""

from __future__ import annotations

import numpy as np

RESAMPLES = 1000  # resamples of recordings behind a bootstrap interval


def group_resamples(groups: np.ndarray, seed: int, n: int = RESAMPLES):
    """Positions of ``n`` bootstrap resamples of whole groups."""
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])
