"""Intervals and tests for scores of repeated grouped splits, kept inside the metric's range.

Two sources of uncertainty stand behind a grouped score. The splits' spread (repeats share
clips, so their scores are correlated): Nadeau & Bengio's corrected resampled variance,
s^2 x (1/J + n_test/n_train) (Machine Learning 52, 2003), J the number of distinct splits.
And the sample of groups itself, which every split shares and the splits' spread cannot see:
the delete-one-group jackknife of the pooled held-out predictions (``reefclr.evaluation.
jackknife``). The interval adds the two variances and takes t with G - 1 degrees of freedom
(G groups). Its coverage, and the corrected t's alone, are measured by simulation in
docs/statistics.md (``reefclr.evaluation.simulate``).

A metric bounded to [lo, hi] gets the t interval intersected with [lo, hi]: the true value
lies in the range, so the intersection covers it exactly when the t interval does, and it
never claims an impossible value. Paired differences of [0, 1] metrics lie in [-1, 1]. A
variance of zero (every split scored the same, no group moves it) gives no interval and no
p-value, never a zero-width interval or p = 0. Families of paired tests are Holm-adjusted
(Holm, Scand. J. Statist. 6, 1979).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def corrected_variance(values, test_train_ratio: float) -> float:
    """Nadeau & Bengio's s^2 (1/J + n_test/n_train) of J split scores (NaN below 2 splits)."""
    v = _finite(values)
    if len(v) < 2:
        return float("nan")
    return float(v.var(ddof=1) * (1 / len(v) + test_train_ratio)) if np.ptp(v) > 0 else 0.0


def _spread(values, test_train_ratio: float, jackknife_var: float, groups: int | None) -> tuple[float, int]:
    """(variance, degrees of freedom): corrected alone (J - 1), or plus the jackknife's (G - 1)."""
    v = _finite(values)
    split_var = corrected_variance(v, test_train_ratio)
    if np.isfinite(jackknife_var) and groups is not None and groups >= 2:
        return float(np.nan_to_num(split_var) + jackknife_var), groups - 1
    return split_var, len(v) - 1


def interval(values, test_train_ratio: float, jackknife_var: float = float("nan"), groups: int | None = None,
             bounds: tuple[float, float] = (0.0, 1.0), level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of split scores: the t interval of the corrected variance (plus the
    group jackknife's, when given with the number of groups), intersected with ``bounds``.
    NaN bounds where the variance is zero or unknown."""
    v = _finite(values)
    mean = float(v.mean()) if len(v) else float("nan")
    var, dof = _spread(v, test_train_ratio, jackknife_var, groups)
    if not np.isfinite(var) or var <= 0 or dof < 1:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(var))
    return mean, max(mean - half, bounds[0]), min(mean + half, bounds[1])


def p_value(differences, test_train_ratio: float, jackknife_var: float = float("nan"),
            groups: int | None = None) -> float:
    """Two-sided p of the t test that the mean paired difference is zero, on the same
    variance as ``interval``; NaN where that variance is zero or unknown."""
    d = _finite(differences)
    var, dof = _spread(d, test_train_ratio, jackknife_var, groups)
    if not len(d) or not np.isfinite(var) or var <= 0 or dof < 1:
        return float("nan")
    return float(2 * stats.t.sf(abs(d.mean()) / np.sqrt(var), dof))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (NaN stays NaN and is not counted in the family)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
