"""The detection threshold, chosen in one place, and the precision it reaches on the
deployment with a lower bound whose coverage is measured.

From the reviewed validation sample (stratified by site and score bin): for a threshold t, each
design cell's windows above t are known from the scores, and the share of them holding the
sound has a Beta(k + 1/2, n - k + 1/2) posterior from the cell's reviewed windows above t; the
deployment's precision at t is their mix, so it holds at the deployment's own prevalence. Its
lower bound is the (1 - level) quantile of posterior draws.

The threshold is chosen by fixed-sequence testing (Angelopoulos et al., "Learn then test",
2021): thresholds from the highest down, starting where enough windows are reviewed above for
the bound to reach the target at all, each passing while its lower bound reaches the target;
the last to pass is chosen.
The order is fixed before the labels are read, so the chosen threshold's precision falls short
of the target with probability at most 1 - level. None passing: no threshold is claimed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

DRAWS = 4000
CURVE_COLUMNS = ["threshold", "windows_above", "reviewed_above", "precision", "precision_low", "possible_low"]


@dataclass(frozen=True)
class Target:
    """What a threshold must reach: precision ``precision`` with confidence ``level``, with at
    least ``min_reviewed`` reviewed windows above it."""

    precision: float
    level: float
    min_reviewed: int


@dataclass(frozen=True)
class Threshold:
    """The threshold detections use and what it can be trusted for."""

    value: float
    source: str
    reached: bool
    precision: float
    precision_low: float
    reviewed_above: int
    note: str

    def to_dict(self) -> dict:
        return asdict(self)


def precision_curve(scores: pd.DataFrame, reviewed: pd.DataFrame, target: Target, seed: int) -> pd.DataFrame:
    """Per candidate threshold (each reviewed window's score, highest first): the deployment's
    windows and the reviewed windows above it, the precision there and its lower bound.
    ``scores`` holds every window's site, score and design ``bin``; ``reviewed`` the sample's
    site, score, y and ``cell`` (the bin it was drawn from, under these scores). A cell above
    the threshold without reviewed windows there counts with the prior's spread."""
    candidates = np.unique(reviewed["score"].to_numpy())[::-1]
    keys = sorted(scores.groupby(["site", "bin"]).groups)
    above, n, k, rates = [], [], [], []
    for site, b in keys:
        windows = np.sort(scores.loc[(scores["site"] == site) & (scores["bin"] == b), "score"].to_numpy())
        mine = reviewed[(reviewed["site"] == site) & (reviewed["cell"] == b)].sort_values("score")
        s, y = mine["score"].to_numpy(), mine["y"].to_numpy()
        tail = np.concatenate([np.cumsum(y[::-1])[::-1], [0]])  # positives at or above each position
        above.append(len(windows) - np.searchsorted(windows, candidates, side="left"))
        first = np.searchsorted(s, candidates, side="left")
        n.append(len(s) - first)
        k.append(tail[first])
        rates.append(y.mean() if len(y) else 0.5)  # a cell's rate where none of it is reviewed above t
    above, n, k = (np.array(v, float).T for v in (above, n, k))
    total = above.sum(1)
    point = (np.where(n > 0, k / np.maximum(n, 1), np.array(rates)[None]) * above).sum(1) / total
    low, possible = np.empty(len(candidates)), np.empty(len(candidates))
    for i in range(len(candidates)):
        for positives, out in ((k[i], low), (n[i], possible)):  # the same random numbers for both
            draw = np.random.default_rng([seed, i]).beta(positives + 0.5, n[i] - positives + 0.5, (DRAWS, len(keys)))
            out[i] = np.quantile(draw @ above[i] / total[i], 1 - target.level)
    return pd.DataFrame({"threshold": candidates, "windows_above": total.astype(int),
                         "reviewed_above": n.sum(1).astype(int), "precision": point, "precision_low": low,
                         "possible_low": possible}, columns=CURVE_COLUMNS)


def fixed_sequence(curve: pd.DataFrame, target: Target) -> int | None:
    """The row of the chosen threshold: down the thresholds, from the first whose bound could
    reach the target were every reviewed window above it to hold the sound (``possible_low``, a
    function of the sample's design alone, so the order is fixed before any label is read) and
    with at least ``min_reviewed`` reviewed windows above it, while each lower bound reaches the
    target; None if the first fails."""
    eligible = (curve["possible_low"] >= target.precision) & (curve["reviewed_above"] >= target.min_reviewed)
    chosen = None
    for i, row in curve[eligible.cummax()].iterrows():
        if not row["precision_low"] >= target.precision:
            break
        chosen = i
    return chosen


def choose(configured: float | None, fallback: float, curve: pd.DataFrame | None, target: Target) -> Threshold:
    """The threshold detections use: ``deploy.detect.threshold`` when set; else the deployment's
    validated one; else (no reviewed sample, or no threshold reaches the target) ``fallback``,
    the classifier's threshold from its own grouped validation, claiming nothing on this
    deployment. The precision at the threshold comes from the reviewed sample where there is one."""
    at = _at(curve, configured if configured is not None else fallback)
    if configured is not None:
        return Threshold(configured, "deploy.detect.threshold", False, *at, "set in the config")
    if curve is None:
        return Threshold(fallback, "classifier", False, np.nan, np.nan, 0,
                         "no reviewed validation sample of this deployment: the classifier's threshold from its "
                         "grouped validation, at the training set's prevalence; no precision is claimed here")
    row = fixed_sequence(curve, target)
    if row is None:
        return Threshold(fallback, "classifier", False, *at,
                         f"no threshold reaches precision {target.precision} with {target.level:.0%} confidence and at "
                         f"least {target.min_reviewed} reviewed windows above it: the classifier's threshold is used and "
                         "no precision is claimed")
    r = curve.loc[row]
    return Threshold(float(r["threshold"]), "deployment", True, float(r["precision"]), float(r["precision_low"]),
                     int(r["reviewed_above"]),
                     f"precision {r['precision']:.2f} on this deployment, {target.level:.0%} lower bound "
                     f"{r['precision_low']:.2f} (fixed-sequence choice from the reviewed sample)")


def _at(curve: pd.DataFrame | None, t: float) -> tuple[float, float, int]:
    """Precision, lower bound and reviewed windows at the candidate nearest above ``t``."""
    if curve is None or curve.empty:
        return np.nan, np.nan, 0
    above = curve[curve["threshold"] >= t]
    if above.empty:
        return np.nan, np.nan, 0
    r = above.iloc[-1]
    return float(r["precision"]), float(r["precision_low"]), int(r["reviewed_above"])
