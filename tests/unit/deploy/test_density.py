"""reefclr.deploy.density: score-bin samples, the stratified estimate against a known density,
and the coverage of its interval by simulation."""

import numpy as np
import pandas as pd
import pytest

from reefclr.deploy import density


def _scores(n=600, seed=0):
    rng = np.random.default_rng(seed)
    site = np.where(np.arange(n) < n // 2, "reef01", "reef02")
    present = rng.random(n) < np.where(site == "reef01", 0.1, 0.3)
    score = np.where(present, rng.beta(5, 2, n), rng.beta(2, 5, n))
    time = pd.Timestamp("2023-04-01") + pd.to_timedelta(np.arange(n) % 48, unit="h")
    return pd.DataFrame({"clip_id": [f"w{i}" for i in range(n)], "source": [f"{s}/r{i % 4}.wav" for i, s in
                                                                          enumerate(site)],
                         "offset_s": np.arange(n) * 1.92, "end_s": np.arange(n) * 1.92 + 1.92, "site": site,
                         "time": time, "score": score, "y": present.astype(int)})


def test_validation_sample_is_stratified_by_site_and_bin_and_skips_reviewed():
    scores = _scores()
    edges = density.score_bins(scores["score"].to_numpy(), 5)
    assert len(edges) == 4
    sample = density.validation_sample(scores, edges, 7, seed=1, exclude={"w0", "w1"})
    assert (sample.groupby(["site", "bin"]).size() == 7).all() and len(sample) == 2 * 5 * 7
    assert not {"w0", "w1"} & set(sample["clip_id"])
    again = density.validation_sample(scores, edges, 7, seed=1, exclude={"w0", "w1"})
    assert sample["clip_id"].tolist() == again["clip_id"].tolist()  # seeded
    active = density.active_sample(scores, 0.5, 10, exclude=set(sample["clip_id"]))
    assert len(active) == 10 and not set(active["clip_id"]) & set(sample["clip_id"])
    assert active["score"].max() == scores[~scores["clip_id"].isin(sample["clip_id"])]["score"].max()


def test_density_of_a_fully_reviewed_deployment_is_its_share_of_windows():
    """Every window reviewed: the deployment's and each site's estimate is its share of windows
    (up to the prior's pull); hours and days use their site's rates per score bin."""
    scores = _scores()
    edges = density.score_bins(scores["score"].to_numpy(), 5)
    table = density.density_table(scores, edges, scores, hop_s=1.92, seed=0)
    truth = np.array(density.stratum_means(scores, scores["y"]))
    whole = (table["period"] == "all").to_numpy()
    np.testing.assert_allclose(table["density"][whole], truth[whole], atol=0.01)
    assert np.abs(table["density"][~whole] - truth[~whole]).mean() < 0.06
    assert list(table.columns) == density.DENSITY_COLUMNS
    assert table.iloc[0][["site", "period"]].tolist() == ["all", "all"]
    assert {"hour 00", "day 2023-04-01"} <= set(table["period"])
    assert ((table["low"] <= table["density"]) & (table["density"] <= table["high"])).all()


def test_true_density_marks_windows_overlapping_known_events():
    scores = _scores(8)
    truth = pd.DataFrame({"source": [scores["source"][0]], "begin_s": [1.0], "end_s": [2.0]})
    hit = density.true_density(scores, truth)
    assert hit.tolist() == [True] + [False] * 7


def test_interval_covers_the_known_density_of_simulated_sites():
    """200 simulated sites (50 deployments of 4), 10 reviewed windows per site and bin: the 90%
    interval covers each site's true share of windows in at least 80% (MC s.e. about 0.02;
    bench/density_coverage.py measures 1,000 deployments)."""
    runs = [density.simulate_density(4, 1500, 10, 5, seed) for seed in range(50)]
    coverage = np.mean([r["covered"] for r in runs])
    assert coverage >= 0.8, coverage
    assert np.mean([r["error"] for r in runs]) < 0.05
