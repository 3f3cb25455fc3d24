"""Intervals and tests for scores of repeated splits, kept inside the metric's range.

Repeats share clips, so their scores are correlated: the variance is Nadeau & Bengio's
corrected resampled estimate, s^2 x (1/J + n_test/n_train) (Machine Learning 52, 2003), with
J the number of distinct splits. A metric bounded to [lo, hi] gets that t interval
intersected with [lo, hi]: the true mean lies in the range, so the intersection covers it
exactly when the t interval does (same coverage, same verdict as the t test), and it never
claims an impossible value. (A logit-scale interval was tried and rejected: a split scored at
a bound, common with few test clips, stretches it over most of the range and makes it
disagree with the test.) Paired differences of [0, 1] metrics lie in [-1, 1]. Families of
paired tests are Holm-adjusted (Holm, Scand. J. Statist. 6, 1979).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def _corrected_t(values: np.ndarray, ratio: float, level: float) -> tuple[float, float]:
    """(centre, half width) of the corrected resampled t interval."""
    j = len(values)
    var = values.var(ddof=1) * (1 / j + ratio)
    return float(values.mean()), float(stats.t.ppf(0.5 + level / 2, j - 1) * np.sqrt(var))


def corrected_interval(values, test_train_ratio: float, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the corrected resampled t interval, unbounded."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return (float(values.mean()) if len(values) else float("nan")), float("nan"), float("nan")
    mean, half = _corrected_t(values, test_train_ratio, level)
    return mean, mean - half, mean + half


def bounded_interval(values, test_train_ratio: float, bounds: tuple[float, float] = (0.0, 1.0),
                     level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the corrected t interval intersected with ``bounds``."""
    mean, low, high = corrected_interval(values, test_train_ratio, level)
    if np.isnan(low):
        return mean, low, high
    return mean, max(low, bounds[0]), min(high, bounds[1])


def corrected_p_value(differences, test_train_ratio: float) -> float:
    """Two-sided p of the corrected resampled t test that the mean difference is zero."""
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return float("nan")
    var = d.var(ddof=1) * (1 / len(d) + test_train_ratio)
    if var == 0:
        return 1.0 if d.mean() == 0 else 0.0
    t = d.mean() / np.sqrt(var)
    return float(2 * stats.t.sf(abs(t), len(d) - 1))


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
