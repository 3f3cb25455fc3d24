"""reefclr.deploy.threshold: the precision curve from the stratified sample, the fixed-sequence
choice, where the threshold comes from, and the bound's coverage by simulation."""

import numpy as np
import pandas as pd
import pytest

from reefclr.deploy import sampling, simulate, threshold

TARGET = threshold.Target(0.8, 0.95, 10)


def _deployment(n=4000, seed=0, mu=3.0, prevalence=0.2):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < prevalence
    score = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + mu * y)))
    return pd.DataFrame({"clip_id": [f"w{i}" for i in range(n)], "source": [f"r{i % 8}.wav" for i in range(n)],
                         "offset_s": np.arange(n) * 2.0, "site": np.where(np.arange(n) % 2, "a", "b"),
                         "score": score, "y": y.astype(int)})


def _curve(windows, per_bin, seed=0):
    edges = sampling.score_bins(windows["score"].to_numpy(), 5)
    sample = sampling.validation_sample(windows, edges, per_bin, seed)
    binned = windows.assign(bin=sampling.bin_of(windows["score"].to_numpy(), edges))
    return threshold.precision_curve(binned, sample, TARGET, seed)


def test_a_fully_reviewed_deployment_gives_its_exact_precision():
    windows = _deployment(800)
    curve = _curve(windows, per_bin=10_000)
    exact = [windows.loc[windows["score"] >= t, "y"].mean() for t in curve["threshold"]]
    np.testing.assert_allclose(curve["precision"], exact, atol=1e-9)
    assert (curve["windows_above"] == [(windows["score"] >= t).sum() for t in curve["threshold"]]).all()
    assert (curve["precision_low"] <= curve["precision"] + 1e-9).all()
    assert (curve["possible_low"] >= curve["precision_low"] - 0.01).all()
    every = curve["precision"] == 1
    np.testing.assert_array_equal(curve["possible_low"][every], curve["precision_low"][every])  # same draws
    assert list(curve.columns) == threshold.CURVE_COLUMNS and curve["threshold"].is_monotonic_decreasing


def test_fixed_sequence_starts_where_the_bound_could_pass_and_stops_at_the_first_failure():
    curve = pd.DataFrame({"threshold": [0.9, 0.8, 0.7, 0.6, 0.5], "reviewed_above": [5, 12, 20, 30, 40],
                          "precision_low": [0.5, 0.85, 0.82, 0.7, 0.9], "possible_low": [0.6, 0.9, 0.95, 0.97, 0.98]})
    assert threshold.fixed_sequence(curve, TARGET) == 2  # rows 1, 2 pass, row 3 fails: row 4 is never reached
    assert threshold.fixed_sequence(curve.assign(precision_low=[0.9, 0.5, 0.9, 0.9, 0.9]), TARGET) is None


def test_where_the_threshold_comes_from():
    windows = _deployment()
    curve = _curve(windows, per_bin=40)
    chosen = threshold.choose(None, 0.5, curve, TARGET)
    assert chosen.source == "deployment" and chosen.reached and chosen.precision_low >= 0.8
    assert "lower bound" in chosen.note
    assert windows.loc[windows["score"] >= chosen.value, "y"].mean() >= 0.8
    fixed = threshold.choose(0.7, 0.5, curve, TARGET)
    assert (fixed.value, fixed.source, fixed.reached) == (0.7, "deploy.detect.threshold", False)
    assert np.isfinite(fixed.precision)  # what it reaches here is still reported
    none = threshold.choose(None, 0.42, None, TARGET)
    assert (none.value, none.source) == (0.42, "classifier") and "no precision is claimed" in none.note
    weak = threshold.choose(None, 0.42, _curve(_deployment(mu=0.5), per_bin=10), TARGET)
    assert not weak.reached and weak.value == 0.42 and "no threshold reaches precision 0.8" in weak.note


@pytest.mark.slow
def test_the_bound_covers_the_true_precision_in_simulation():
    """60 simulated deployments of 8 recordings (ROC-AUC 0.98, target 0.8): where a threshold is
    given, its 95% bound covers the deployment's true precision above it at least 90% of the
    time, and the precision falls short of the target at most 10% of the time
    (bench/precision_coverage.py measures the grid)."""
    threshold.DRAWS, kept = 1000, threshold.DRAWS
    runs = [simulate.precision_run(simulate.PrecisionScenario(8, 0.98, 0.2, 0.8), seed) for seed in range(60)]
    threshold.DRAWS = kept
    given = [r for r in runs if r["given"]]
    assert len(given) >= 40
    assert np.mean([r["covered"] for r in given]) >= 0.9
    assert np.mean([r["short"] for r in given]) <= 0.1
