"""reefclr.deploy.density: the stratified site estimate, hour and day strata that follow their
own scores, what is not known, samples drawn under other scores, the assumption's check."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from reefclr.deploy import density, sampling, simulate

DUSK = simulate.Scenario(peak=15, auc=0.93, density=0.1, bins=5, per_bin=25, error=0.0, sites=2)


def _deployment(scenario=DUSK, seed=0):
    windows = simulate.deployment(scenario, np.random.default_rng(seed))
    edges = sampling.score_bins(windows["score"].to_numpy(), scenario.bins)
    return windows, edges


def _reviewed_all(windows, edges):
    """Every window reviewed: each is its own sample (cells are the score bins)."""
    bins = sampling.bin_of(windows["score"].to_numpy(), edges)
    sizes = windows.assign(bin=bins).groupby(["site", "bin"])["clip_id"].transform("size")
    return windows.assign(cell=bins, cell_windows=sizes.to_numpy())


def _design(edges, **method):
    return density.Design(edges, 0.9, 2.0, 0, replace(density.METHOD, **method))


def test_a_fully_reviewed_site_is_its_share_of_windows():
    windows, edges = _deployment()
    table = density.density_table(windows.drop(columns="y"), _reviewed_all(windows, edges), _design(edges))
    truth = np.array(density.stratum_means(windows, windows["y"]))
    whole = table["kind"].isin(["deployment", "site"]).to_numpy()
    np.testing.assert_allclose(table["density"][whole], truth[whole], atol=1e-9)
    assert list(table.columns) == density.DENSITY_COLUMNS
    assert table.iloc[0][["site", "kind"]].tolist() == ["all", "deployment"]
    assert set(table["kind"]) == {"deployment", "site", "hour", "day"} and table["hour"].dtype == "Int64"


def test_hours_follow_their_own_scores_through_a_dusk_peak():
    """A 15x dusk peak, a reviewed sample of 25 windows per site and bin: each hour's estimate
    follows that hour's truth; reusing the site's rates per bin (the old estimate) is flat."""
    estimates, truths, covered = [], [], []
    for seed in range(3):
        windows, edges = _deployment(seed=seed)
        sample = simulate.reviewed_sample(windows, DUSK, seed)
        table = density.density_table(windows.drop(columns="y"), sample, _design(edges))
        table["truth"] = density.stratum_means(windows, windows["y"])
        hours = table[table["kind"] == "hour"]
        estimates += hours["density"].tolist()
        truths += hours["truth"].tolist()
        covered += ((hours["low"] <= hours["truth"]) & (hours["truth"] <= hours["high"])).tolist()
    assert np.corrcoef(estimates, truths)[0, 1] > 0.9
    assert np.mean(covered) >= 0.8
    peak = np.array(estimates)[np.array(truths) > 0.3]
    assert peak.mean() > 3 * np.array(estimates)[np.array(truths) < 0.05].mean()


def test_a_classifier_that_cannot_tell_leaves_a_wide_interval_not_a_jump():
    """ROC-AUC 0.55: an hour's data say little, so its estimate stays near the site's with an
    interval wider than a strong classifier's, never 0 or 1 by itself."""
    weak = replace(DUSK, auc=0.55, peak=1)
    windows, edges = _deployment(weak)
    table = density.density_table(windows.drop(columns="y"), simulate.reviewed_sample(windows, weak, 0),
                                  _design(edges))
    hours = table[table["kind"] == "hour"]
    assert hours["density"].between(0.01, 0.5).all()
    assert (hours["high"] - hours["low"]).mean() > 0.15


def test_unreviewed_sites_and_cells_get_no_estimate_with_the_reason():
    windows, edges = _deployment()
    sample = simulate.reviewed_sample(windows, DUSK, 0)
    table = density.density_table(windows.drop(columns="y"), sample[sample["site"] != "site1"], _design(edges))
    site1 = table[table["site"] == "site1"]
    assert site1["density"].isna().all() and (site1["reason"] == "no reviewed windows at this site").all()
    assert not site1["reliable"].any()
    assert np.isnan(table.iloc[0]["density"]) and "site1" in table.iloc[0]["reason"]
    assert table[table["site"] == "site0"]["density"].notna().all()
    top = sample[(sample["site"] == "site0") & (sample["cell"] == sample["cell"].max())]
    table = density.density_table(windows.drop(columns="y"), sample.drop(top.index), _design(edges))
    assert table[table["site"] == "site0"]["reason"].str.contains("a score bin without reviewed windows").all()


def test_reviewed_counts_only_what_stands_behind_each_row():
    windows, edges = _deployment()
    sample = simulate.reviewed_sample(windows, DUSK, 0)
    table = density.density_table(windows.drop(columns="y"), sample, _design(edges))
    mine = sample[sample["site"] == "site0"]
    hours = table[(table["site"] == "site0") & (table["kind"] == "hour")]
    in_hour = pd.to_datetime(mine["time"]).dt.hour.value_counts()
    assert hours.set_index("hour")["reviewed"].to_dict() == {h: int(in_hour.get(h, 0)) for h in range(24)}
    assert (hours["model_reviewed"] == len(mine)).all() and (hours["model_positives"] == mine["y"].sum()).all()


def test_a_sample_drawn_under_other_scores_keeps_its_weights():
    """Reviewed under an earlier classifier's bins, every window reviewed: read against new scores
    with its own cells, the site estimate is still the exact share."""
    windows, edges = _deployment()
    reviewed = _reviewed_all(windows, edges)
    rescored = windows.assign(score=np.clip(windows["score"] + np.random.default_rng(1).normal(0, 0.2, len(windows)),
                                            0, 1))
    new_edges = sampling.score_bins(rescored["score"].to_numpy(), 5)
    table = density.density_table(rescored.drop(columns="y"), reviewed.assign(score=rescored["score"]),
                                  _design(new_edges))
    truth = windows.groupby("site")["y"].mean()
    sites = table[table["kind"] == "site"].set_index("site")["density"]
    np.testing.assert_allclose(sites[truth.index], truth, atol=1e-9)


def test_census_windows_count_with_certainty():
    """Windows reviewed outside the sample (a classifier's training table) stand for themselves."""
    windows, edges = _deployment()
    known = windows.iloc[:200].assign(cell=sampling.CENSUS, cell_windows=1)
    rest = windows.iloc[200:]
    bins = sampling.bin_of(rest["score"].to_numpy(), edges)
    sizes = rest.assign(bin=bins).groupby(["site", "bin"])["clip_id"].transform("size").to_numpy()
    reviewed = pd.concat([known, rest.assign(cell=bins, cell_windows=sizes)])
    table = density.density_table(windows.drop(columns="y"), reviewed, _design(edges))
    truth = windows.groupby("site")["y"].mean()
    np.testing.assert_allclose(table[table["kind"] == "site"].set_index("site")["density"][truth.index], truth,
                               atol=1e-9)


@pytest.mark.parametrize("model", ["bins", "logistic"])
def test_both_score_models_estimate_a_rare_sound_without_the_priors_pull(model):
    """0.5% density, a strong classifier: the mean site estimate over 10 deployments is within
    half of the truth (a Jeffreys prior per bin made it about 3x too high)."""
    rare = replace(DUSK, density=0.005, peak=1, sites=4, per_bin=10)
    estimates, truths = [], []
    for seed in range(10):
        windows, edges = _deployment(rare, seed)
        table = density.density_table(windows.drop(columns="y"), simulate.reviewed_sample(windows, rare, seed),
                                      _design(edges, model=model, draws=300))
        estimates += table[table["kind"] == "site"]["density"].tolist()
        truths += windows.groupby("site")["y"].mean().tolist()
    assert abs(np.mean(estimates) / np.mean(truths) - 1) < 0.5


def test_shift_check_warns_when_scores_given_presence_change_by_hour():
    """A noise that only the night has (a snapping-shrimp chorus, say) lifts the scores of windows
    without the sound at night: the reviewed windows contradict the score model, and the check
    says so; without it, it stays silent."""
    windows, edges = _deployment(replace(DUSK, peak=1, sites=2, per_bin=40))
    night = pd.to_datetime(windows["time"]).dt.hour >= 12
    shifted = windows.assign(score=np.where(night & (windows["y"] == 0), windows["score"] ** 0.3, windows["score"]))
    for table, expect in ((windows, False), (shifted, True)):
        e = sampling.score_bins(table["score"].to_numpy(), 5)
        sample = sampling.validation_sample(table, e, 40, 0)
        warned = density.shift_check(table.drop(columns="y"), sample, _design(e))
        assert bool(warned) == expect, warned
    assert "site" in warned[0] and "may differ between hours" in warned[0]
