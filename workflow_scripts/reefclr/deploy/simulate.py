"""Simulated deployments with a known truth, for measuring the call-density intervals and the
precision bound where users live: weak and strong classifiers, rare and common sounds, a diel
cycle, a reviewer who errs.

A deployment: ``sites`` hydrophones, each recording ``per_hour`` windows in every hour of one
day (the demo's: 62). The sound's chance in a window follows a dusk peak ``peak`` times the off-peak level, scaled
so the day's mean is ``density``. Scores are binormal: N(0, 1) without the sound, N(mu, 1) with
it, mu = sqrt(2) Phi^-1(auc), so the ROC-AUC is ``auc``; each site shifts both by N(0, 0.5), as
a classifier scores sites differently. The validation sample is drawn as the workflow draws it,
and the reviewer flips each answer with probability ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reefclr.deploy import density, sampling, threshold


@dataclass(frozen=True)
class Scenario:
    """One cell of the simulation grid."""

    peak: float
    auc: float
    density: float
    bins: int
    per_bin: int
    error: float
    spacing: str = "geometric"
    sites: int = 4
    per_hour: int = 60


def diel_profile(peak: float) -> np.ndarray:
    """Relative chance of the sound per hour of day: 1 off-peak, ``peak`` at 19:00 (a dusk
    chorus, 2.5 h wide)."""
    hours = np.arange(24)
    return 1 + (peak - 1) * np.exp(-0.5 * (((hours - 19 + 12) % 24 - 12) / 2.5) ** 2)


def deployment(scenario: Scenario, rng) -> pd.DataFrame:
    """Windows of one simulated deployment: clip_id, source, offset_s, site, time, score, y."""
    from scipy.stats import norm

    mu = np.sqrt(2) * norm.ppf(scenario.auc)
    profile = diel_profile(scenario.peak)
    chance = np.clip(scenario.density * profile / profile.mean(), 0, 1)
    n = scenario.per_hour
    rows = []
    for s in range(scenario.sites):
        hour = np.repeat(np.arange(24), n)
        y = rng.random(24 * n) < chance[hour]
        score = rng.normal(0, 1, 24 * n) + mu * y + rng.normal(0, 0.5)
        rows.append(pd.DataFrame({
            "clip_id": [f"s{s}w{i}" for i in range(24 * n)], "source": [f"site{s}/h{h:02d}.wav" for h in hour],
            "offset_s": np.tile(np.arange(n) * 2.0, 24), "site": f"site{s}",
            "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(hour, unit="h"),
            "score": 1 / (1 + np.exp(-score)), "y": y.astype(int)}))
    return pd.concat(rows, ignore_index=True)


def reviewed_sample(windows: pd.DataFrame, scenario: Scenario, seed: int) -> pd.DataFrame:
    """The validation sample as the workflow draws it, answered by a reviewer who errs with
    probability ``scenario.error``."""
    edges = sampling.score_bins(windows["score"].to_numpy(), scenario.bins, scenario.spacing)
    sample = sampling.validation_sample(windows, edges, scenario.per_bin, seed)
    flip = np.random.default_rng(seed + 1).random(len(sample)) < scenario.error
    return sample.assign(y=np.where(flip, 1 - sample["y"], sample["y"]))


def run(scenario: Scenario, seed: int, method: density.Method = density.METHOD) -> pd.DataFrame:
    """One simulated deployment's site and site x hour rows: kind, estimate, interval, truth,
    whether the interval covers it."""
    rng = np.random.default_rng(seed)
    windows = deployment(scenario, rng)
    edges = sampling.score_bins(windows["score"].to_numpy(), scenario.bins, scenario.spacing)
    reviewed = reviewed_sample(windows, scenario, seed)
    table = density.density_table(windows.drop(columns="y"), reviewed,
                                  density.Design(edges, 0.9, 2.0, seed, method))
    table["truth"] = density.stratum_means(windows, windows["y"])
    table = table[table["kind"].isin(["site", "hour"])].reset_index(drop=True)
    table["covered"] = (table["low"] <= table["truth"]) & (table["truth"] <= table["high"])
    return table[["site", "kind", "hour", "density", "low", "high", "truth", "covered", "model_positives"]]


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per kind of row: coverage, mean width, relative bias of the mean estimate, and the
    correlation of estimate and truth over the hours of each site."""
    out = []
    for kind, part in rows.groupby("kind", sort=False):
        ok = part.dropna(subset=["density"])
        bias = (ok["density"].mean() - ok["truth"].mean()) / max(ok["truth"].mean(), 1e-12)
        out.append(dict(kind=kind, rows=len(part), estimated=len(ok), coverage=float(ok["covered"].mean()),
                        width=float((ok["high"] - ok["low"]).mean()), bias=float(bias)))
    return pd.DataFrame(out)


@dataclass(frozen=True)
class PrecisionScenario:
    """A deployment of ``recordings`` recordings of ``windows`` windows at two sites, each
    recording with its own prevalence (Beta, mean ``prevalence``) and score offset; the
    threshold chosen for precision ``target`` from a validation sample of ``per_bin`` windows
    per site and geometric score bin."""

    recordings: int
    auc: float
    prevalence: float
    target: float
    per_bin: int = 25
    bins: int = 5
    windows: int = 300


def precision_run(scenario: PrecisionScenario, seed: int, level: float = 0.95, min_reviewed: int = 20) -> dict:
    """One simulated deployment: whether a threshold was given, and if so whether its lower bound
    covers the true precision of the deployment's windows above it, and whether that precision
    falls short of the target."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    mu = np.sqrt(2) * norm.ppf(scenario.auc)
    rows = []
    for r in range(scenario.recordings):
        chance = rng.beta(4 * scenario.prevalence, 4 * (1 - scenario.prevalence))
        y = rng.random(scenario.windows) < chance
        score = rng.normal(0, 1, scenario.windows) + mu * y + rng.normal(0, 0.3)
        rows.append(pd.DataFrame({"clip_id": [f"r{r}w{i}" for i in range(scenario.windows)], "source": f"r{r}.wav",
                                  "offset_s": np.arange(scenario.windows) * 2.0, "site": f"site{r % 2}",
                                  "score": 1 / (1 + np.exp(-score)), "y": y.astype(int)}))
    windows = pd.concat(rows, ignore_index=True)
    edges = sampling.score_bins(windows["score"].to_numpy(), scenario.bins)
    sample = sampling.validation_sample(windows, edges, scenario.per_bin, seed)
    target = threshold.Target(scenario.target, level, min_reviewed)
    binned = windows.assign(bin=sampling.bin_of(windows["score"].to_numpy(), edges))
    chosen = threshold.choose(None, 0.5, threshold.precision_curve(binned, sample, target, seed), target)
    if not chosen.reached:
        return dict(given=False)
    true = float(windows.loc[windows["score"] >= chosen.value, "y"].mean())
    return dict(given=True, covered=chosen.precision_low <= true, short=true < scenario.target, true=true,
                estimate=chosen.precision, low=chosen.precision_low)
