"""reefclr.deploy.simulate: simulated deployments with the density, diel peak and ROC-AUC asked
for, and the rows the coverage benches score."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from reefclr.deploy import density, simulate

CELL = simulate.Scenario(peak=5, auc=0.8, density=0.1, bins=5, per_bin=10, error=0.0)


def test_a_deployment_has_the_density_peak_and_roc_auc_asked_for():
    windows = simulate.deployment(replace(CELL, per_hour=400), np.random.default_rng(0))
    assert len(windows) == 4 * 24 * 400 and windows["site"].nunique() == 4
    assert abs(windows["y"].mean() - 0.1) < 0.01
    hourly = windows.groupby(windows["time"].dt.hour)["y"].mean()
    assert hourly.idxmax() in (18, 19, 20) and hourly.max() / hourly[[5, 6, 7, 8]].mean() > 3
    site = windows[windows["site"] == "site0"]
    assert abs(roc_auc_score(site["y"], site["score"]) - 0.8) < 0.03
    np.testing.assert_allclose(simulate.diel_profile(5)[19], 5) and np.testing.assert_allclose(
        simulate.diel_profile(1), 1)


def test_the_reviewer_errs_at_the_rate_asked_for():
    windows = simulate.deployment(CELL, np.random.default_rng(0))
    right = simulate.reviewed_sample(windows, CELL, 0)
    wrong = simulate.reviewed_sample(windows, replace(CELL, error=0.2, per_bin=200), 0)
    assert (right["y"] == windows.set_index("clip_id").loc[right["clip_id"], "y"].to_numpy()).all()
    flipped = wrong["y"] != windows.set_index("clip_id").loc[wrong["clip_id"], "y"].to_numpy()
    assert 0.15 < flipped.mean() < 0.25


def test_a_run_scores_site_and_hour_rows_against_the_truth():
    rows = simulate.run(CELL, 0, replace(density.METHOD, draws=200))
    assert set(rows["kind"]) == {"site", "hour"} and len(rows) == 4 + 4 * 24
    assert rows["covered"].dtype == bool and rows["truth"].between(0, 1).all()
    summary = simulate.summary(rows).set_index("kind")
    assert summary.loc["hour", "rows"] == 96 and 0 <= summary.loc["site", "coverage"] <= 1


def test_a_precision_run_reports_what_was_given():
    run = simulate.precision_run(simulate.PrecisionScenario(4, 0.98, 0.2, 0.8, windows=200), 0)
    assert set(run) >= {"given"}
    if run["given"]:
        assert run["low"] <= run["estimate"] and 0 <= run["true"] <= 1


@pytest.mark.slow
def test_a_small_grid_covers_where_the_shipped_grid_says_it_does():
    """Four cells of the grid (weak and strong classifier, rare and common sound, a 15x dusk
    peak), 8 deployments each: where the shipped grid (bench/density_coverage.py, 30 deployments
    per cell) measured at least 0.85, the site and hour rows cover at least 0.75 here (MC s.e.
    about 0.04 for sites)."""
    import pandas as pd

    from reefclr.deploy import reliability

    shipped = reliability.grid()
    for auc, share in ((0.65, 0.3), (0.93, 0.01), (0.93, 0.3), (0.8, 0.05)):
        cell = simulate.Scenario(peak=15, auc=auc, density=share, bins=5, per_bin=10, error=0.0)
        rows = pd.concat([simulate.run(cell, seed, replace(density.METHOD, draws=300)) for seed in range(8)])
        found = simulate.summary(rows).set_index("kind")["coverage"]
        measured = shipped[(shipped["peak"] == 15) & (shipped["auc"] == auc) & (shipped["density"] == share)
                           & (shipped["bins"] == 5) & (shipped["per_bin"] == 10) & (shipped["error"] == 0)]
        for kind, coverage in measured.set_index("kind")["coverage"].items():
            if coverage >= 0.85:
                assert found[kind] >= 0.75, (auc, share, kind, found[kind], coverage)
