"""reefclr.deploy.sampling: score bins (geometric and equal shares), the validation sample
stratified by site and bin with its design, and the active-learning sample."""

import numpy as np
import pandas as pd
import pytest

from reefclr.deploy import sampling


def _scores(n=600, seed=0):
    rng = np.random.default_rng(seed)
    site = np.where(np.arange(n) < n // 2, "reef01", "reef02")
    return pd.DataFrame({"clip_id": [f"w{i}" for i in range(n)], "source": [f"{s}/r{i % 4}.wav" for i, s in
                                                                          enumerate(site)],
                         "offset_s": np.arange(n) * 1.92, "end_s": np.arange(n) * 1.92 + 1.92, "site": site,
                         "score": rng.random(n)})


def test_geometric_bins_halve_towards_the_top_and_quantile_bins_are_equal():
    scores = np.linspace(0, 1, 1601)
    np.testing.assert_allclose(sampling.score_bins(scores, 5), [0.5, 0.75, 0.875, 0.9375])
    np.testing.assert_allclose(sampling.score_bins(scores, 5, "quantile"), [0.2, 0.4, 0.6, 0.8])
    assert len(sampling.score_bins(np.zeros(50), 5)) == 1  # ties merge bins
    with pytest.raises(ValueError, match="unknown deploy.review.spacing 'log'"):
        sampling.score_bins(scores, 5, "log")


def test_validation_sample_is_stratified_by_site_and_bin_and_records_its_design():
    scores = _scores()
    edges = sampling.score_bins(scores["score"].to_numpy(), 5, "quantile")
    sample = sampling.validation_sample(scores, edges, 7, seed=1, exclude={"w0", "w1"})
    assert (sample.groupby(["site", "bin"]).size() == 7).all() and len(sample) == 2 * 5 * 7
    assert not {"w0", "w1"} & set(sample["clip_id"])
    assert (sample["cell"] == sample["bin"]).all()
    pool = scores[~scores["clip_id"].isin({"w0", "w1"})].assign(
        bin=lambda d: sampling.bin_of(d["score"].to_numpy(), edges))
    sizes = pool.groupby(["site", "bin"]).size()
    assert [sizes[(s, b)] for s, b in zip(sample["site"], sample["bin"])] == sample["cell_windows"].tolist()
    again = sampling.validation_sample(scores, edges, 7, seed=1, exclude={"w0", "w1"})
    assert sample["clip_id"].tolist() == again["clip_id"].tolist()  # seeded


def test_a_small_cell_is_reviewed_whole():
    scores = _scores(40)
    edges = sampling.score_bins(scores["score"].to_numpy(), 5)  # the top geometric bin holds 1-2 windows per site
    sample = sampling.validation_sample(scores, edges, 10, seed=0)
    top = sample[sample["bin"] == sample["bin"].max()]
    assert (top.groupby("site").size() == top.groupby("site")["cell_windows"].first()).all()


def test_active_sample_takes_windows_near_the_threshold_and_the_top_ones_once():
    scores = _scores()
    active = sampling.active_sample(scores, 0.5, 10, exclude={"w3"})
    assert len(active) == 10 and active["clip_id"].is_unique and "w3" not in set(active["clip_id"])
    assert active["score"].max() == scores[scores["clip_id"] != "w3"]["score"].max()
    near = np.sort(np.abs(scores.loc[scores["clip_id"] != "w3", "score"] - 0.5))[:5]
    assert np.isin(np.round(near, 12), np.round(np.abs(active["score"] - 0.5), 12)).all()


def test_nothing_left_to_sample_is_an_empty_sample():
    scores = _scores(20)
    edges = sampling.score_bins(scores["score"].to_numpy(), 5)
    empty = sampling.validation_sample(scores, edges, 3, seed=0, exclude=set(scores["clip_id"]))
    assert empty.empty and {"cell", "cell_windows", "bin"} <= set(empty.columns)
