"""Call density without a threshold: the share of a deployment's windows that hold a sound,
estimated from a small reviewed sample stratified by classifier score.

Thresholded counts are biased whenever score distributions differ between sites or times
(Navine et al., "All thresholds barred: direct estimation of call density in bioacoustic
data", Front. Bird Sci. 3, 2024). Instead the windows are cut into score bins at quantiles of
the deployment's scores; a fixed number of windows per site and bin is reviewed (the
validation sample); each site and bin's share of windows holding the sound gets a Beta
posterior (Beta(k + 0.2, n - k + 0.2): Jeffreys' 1/2 pulls a rare sound's low-score bins
towards 1/2, which measured coverage shows), as perch-hoplite's
``agile/call_density.py`` does per bin. A site's density (or a site x hour of day, site x day
stratum's) is the sum over bins of its windows' share in the bin times the site's rate in
that bin; the deployment's is the sites' densities weighted by their windows; intervals come
from draws of the posteriors.

Assumed: within one site and score bin, the chance that a window holds the sound is the same
at every hour and day (the scores may be distributed differently, which the estimate allows
for; the classifier may score sites differently, which the per-site rates allow for);
reviewers are right; the sample was drawn from these scores. The coverage of the interval is
measured by simulation (``simulate_density``; docs/statistics.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIOR = 0.2  # Beta(0.2, 0.2): measured coverage above Jeffreys' 0.5 (docs/statistics.md)
DRAWS = 4000
ESTIMATOR = ("score-bin stratified validation sample per site; Beta(k + 0.2, n - k + 0.2) rate per site "
             "and bin; density = sum over bins of the stratum's share of windows x the rate; equal-tailed "
             "interval from posterior draws")
DENSITY_COLUMNS = ["site", "period", "windows", "recorded_min", "density", "low", "high", "reviewed"]


def score_bins(scores: np.ndarray, bins: int) -> np.ndarray:
    """Inner edges of ``bins`` quantile bins of the scores (ties merged: fewer bins then)."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)[1:-1]))
    return edges


def bin_of(scores: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.searchsorted(edges, scores, side="right")


def validation_sample(scores: pd.DataFrame, edges: np.ndarray, per_bin: int, seed: int,
                      exclude: set[str] = frozenset()) -> pd.DataFrame:
    """Up to ``per_bin`` windows drawn at random from each site's score bins (seeded), leaving
    out the ``exclude`` clip ids (already reviewed); with their bin."""
    rng = np.random.default_rng(seed)
    keep = ~scores["clip_id"].isin(exclude)
    pool = scores[keep].assign(bin=bin_of(scores.loc[keep, "score"].to_numpy(), edges))
    parts = [part.iloc[rng.choice(len(part), size=min(per_bin, len(part)), replace=False)]
             for _, part in pool.groupby(["site", "bin"], sort=True)]
    return pd.concat(parts).sort_values(["source", "offset_s"]).reset_index(drop=True)


def active_sample(scores: pd.DataFrame, threshold: float, n: int, exclude: set[str] = frozenset()) -> pd.DataFrame:
    """Windows to review for the next classifier: half nearest the decision threshold, half the
    top-scoring ones, none already reviewed or twice."""
    pool = scores[~scores["clip_id"].isin(exclude)]
    near = pool.iloc[np.argsort(np.abs(pool["score"].to_numpy() - threshold), kind="stable")[: n // 2]]
    top = pool[~pool["clip_id"].isin(near["clip_id"])].nlargest(n - len(near), "score")
    return pd.concat([near, top]).sort_values(["source", "offset_s"]).reset_index(drop=True)


def posteriors(bins: np.ndarray, y: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Beta posterior parameters (alpha, beta) of each bin's rate from reviewed windows."""
    k = np.bincount(bins, weights=y, minlength=n_bins)
    n = np.bincount(bins, minlength=n_bins)
    return k + PRIOR, n - k + PRIOR


def strata(windows: pd.DataFrame):
    """(site, period, rows) of every stratum of the density table: each site whole ("all"),
    per hour of day and per day (windows with a time)."""
    time = pd.to_datetime(windows["time"])
    stamped = windows.assign(hour=time.dt.hour, day=time.dt.strftime("%Y-%m-%d")).dropna(subset=["time"])
    for site, part in windows.groupby("site", sort=True):
        yield site, "all", part
        mine = stamped[stamped["site"] == site]
        for hour, sub in mine.groupby("hour", sort=True):
            yield site, f"hour {int(hour):02d}", sub
        for day, sub in mine.groupby("day", sort=True):
            yield site, f"day {day}", sub


def density_table(scores: pd.DataFrame, edges: np.ndarray, reviewed: pd.DataFrame, hop_s: float, seed: int,
                  level: float = 0.9) -> pd.DataFrame:
    """Density with its ``level`` interval for the whole deployment, per site, per site x hour
    of day and per site x day: site, period, windows, recorded minutes, density, low, high,
    reviewed (the site's reviewed windows behind its rates)."""
    n_bins = len(edges) + 1
    rng = np.random.default_rng(seed)
    windows = scores.assign(bin=bin_of(scores["score"].to_numpy(), edges))
    lo, hi = (1 - level) / 2, (1 + level) / 2
    rates = {}
    for site in sorted(windows["site"].unique()):
        mine = reviewed[reviewed["site"] == site]
        alpha, beta = posteriors(bin_of(mine["score"].to_numpy(), edges), mine["y"].to_numpy(), n_bins)
        rates[site] = (alpha / (alpha + beta), rng.beta(alpha, beta, size=(DRAWS, n_bins)), len(mine))
    rows, overall, overall_mean = [], np.zeros(DRAWS), 0.0
    for site, period, part in strata(windows):
        mean_rate, draws, n = rates[site]
        share = np.bincount(part["bin"], minlength=n_bins) / len(part)
        d = draws @ share
        rows.append(dict(site=site, period=period, windows=len(part), recorded_min=len(part) * hop_s / 60,
                         density=float(mean_rate @ share), low=float(np.quantile(d, lo)),
                         high=float(np.quantile(d, hi)), reviewed=n))
        if period == "all":
            overall += d * len(part) / len(windows)
            overall_mean += rows[-1]["density"] * len(part) / len(windows)
    rows.insert(0, dict(site="all", period="all", windows=len(windows), recorded_min=len(windows) * hop_s / 60,
                        density=overall_mean, low=float(np.quantile(overall, lo)),
                        high=float(np.quantile(overall, hi)), reviewed=len(reviewed)))
    return pd.DataFrame(rows, columns=DENSITY_COLUMNS)


def stratum_means(windows: pd.DataFrame, values: pd.Series) -> list[float]:
    """The mean of ``values`` over each stratum, in the rows' order of ``density_table``."""
    v = windows.assign(_v=values.to_numpy())
    return [float(v["_v"].mean())] + [float(part["_v"].mean()) for _, _, part in strata(v)]


def true_density(scores: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """Per window, whether it overlaps a known event of its recording (for the demo's check)."""
    hit = np.zeros(len(scores), dtype=bool)
    for source, events in truth.groupby("source"):
        mine = np.flatnonzero((scores["source"] == source).to_numpy())
        start, end = scores["offset_s"].to_numpy()[mine, None], scores["end_s"].to_numpy()[mine, None]
        overlap = (np.minimum(end, events["end_s"].to_numpy()[None]) -
                   np.maximum(start, events["begin_s"].to_numpy()[None])) > 0
        hit[mine] = overlap.any(1)
    return pd.Series(hit, index=scores.index)


def simulate_density(sites: int, windows: int, per_bin: int, bins: int, seed: int, level: float = 0.9) -> dict:
    """One simulated deployment with a known density per site (presence ~ Bernoulli(pi_site),
    scores drawn from Beta distributions that differ between sites and by presence): whether
    each site's interval covers its true share of windows with the sound."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(sites):
        pi = rng.uniform(0.02, 0.3)
        present = rng.random(windows) < pi
        shift = rng.uniform(-0.5, 0.5)  # sites differ in how the classifier scores them
        score = np.where(present, rng.beta(4 + shift, 2, windows), rng.beta(1.5, 4 - shift, windows))
        rows.append(pd.DataFrame({"clip_id": [f"s{s}w{i}" for i in range(windows)], "site": f"site{s}",
                                  "score": score, "y": present.astype(int), "time": pd.NaT}))
    scores = pd.concat(rows, ignore_index=True)
    edges = score_bins(scores["score"].to_numpy(), bins)
    sample = validation_sample(scores.assign(source=scores["site"], offset_s=0.0), edges, per_bin, seed)
    table = density_table(scores, edges, sample, hop_s=1.0, seed=seed, level=level)
    truth = scores.groupby("site")["y"].mean()
    per_site = table[table["period"] == "all"].set_index("site").drop(index="all")
    covered = (per_site["low"] <= truth) & (truth <= per_site["high"])
    return dict(covered=float(covered.mean()), width=float((per_site["high"] - per_site["low"]).mean()),
                error=float((per_site["density"] - truth).abs().mean()))
