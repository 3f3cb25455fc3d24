"""reefclr.evaluation.stats: corrected and combined intervals inside the range, p-values on the same
variance, no interval from zero variance, Holm's adjustment."""

import numpy as np
import pytest
from scipy import stats

from reefclr.evaluation import stats as rstats


def test_corrected_interval_formula():
    values = np.array([0.7, 0.8, 0.75, 0.9, 0.85])
    mean, low, high = rstats.interval(values, test_train_ratio=0.25)
    half = stats.t.ppf(0.975, 4) * np.sqrt(values.var(ddof=1) * (1 / 5 + 0.25))
    assert (mean, low, high) == pytest.approx((0.8, 0.8 - half, 0.8 + half))
    naive = stats.t.interval(0.95, 4, loc=0.8, scale=stats.sem(values))
    assert high - low > naive[1] - naive[0]  # wider than the naive interval


def test_combined_interval_adds_the_jackknife_variance_with_groups_minus_one_dof():
    values = np.array([0.7, 0.8, 0.75, 0.9, 0.85])
    mean, low, high = rstats.interval(values, 0.25, jackknife_var=0.004, groups=8)
    var = values.var(ddof=1) * (1 / 5 + 0.25) + 0.004
    half = stats.t.ppf(0.975, 7) * np.sqrt(var)
    assert (low, high) == pytest.approx((0.8 - half, 0.8 + half))
    p = rstats.p_value(values - 0.8 + half, 0.25, jackknife_var=0.004, groups=8)
    assert p == pytest.approx(0.05)  # the test and the interval agree at the edge


@pytest.mark.parametrize("values", [[0.0, 0.2, 1.0, 0.9, 0.1], [1.0, 1.0, 0.95, 1.0], [0.0, 0.0, 0.1],
                                    [0.5, 0.52, 0.48, 0.51]])
def test_bounded_interval_stays_inside_the_range_and_holds_the_mean(values):
    mean, low, high = rstats.interval(values, test_train_ratio=0.25)
    assert 0.0 <= low <= mean <= high <= 1.0
    assert mean == pytest.approx(np.mean(values))
    _, t_low, t_high = rstats.interval(values, 0.25, bounds=(-np.inf, np.inf))
    assert (low, high) == pytest.approx((max(t_low, 0), min(t_high, 1)))  # the t interval, inside the range
    d_mean, d_low, d_high = rstats.interval(np.array(values) - 0.5, 0.25, bounds=(-1.0, 1.0))
    assert -1.0 <= d_low <= d_mean <= d_high <= 1.0


def test_zero_variance_gives_no_interval_and_no_p_value():
    """Every split scored the same, non-zero difference: not p = 0 and a zero-width interval."""
    same = np.full(6, 0.1)
    assert np.isnan(rstats.p_value(same, 0.25))
    mean, low, high = rstats.interval(same, 0.25, bounds=(-1.0, 1.0))
    assert mean == pytest.approx(0.1) and np.isnan(low) and np.isnan(high)
    assert rstats.corrected_variance(same, 0.25) == 0.0
    assert np.isfinite(rstats.p_value(same, 0.25, jackknife_var=0.001, groups=6))  # the groups still vary


def test_holm_adjustment():
    adjusted = rstats.holm([0.01, 0.04, 0.03, np.nan, 0.005])
    # sorted 0.005, 0.01, 0.03, 0.04 with m = 4: 0.02, 0.03, 0.06, 0.06 (monotone)
    assert adjusted[[4, 0, 2, 1]] == pytest.approx([0.02, 0.03, 0.06, 0.06])
    assert np.isnan(adjusted[3])


def test_corrected_p_value_matches_its_interval():
    d = np.array([0.1, 0.12, 0.08, 0.11, 0.09])
    p = rstats.p_value(d, 0.25)
    _, low, _ = rstats.interval(d, 0.25, bounds=(-1, 1))
    assert (p < 0.05) == (low > 0)
