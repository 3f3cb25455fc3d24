"""A score a person can read: the probability that a window holds the sound, as a function of
its classifier score, fitted to the reviewed validation sample (a logistic curve in the score's
logit, as BirdNET-Analyzer's review fits "correct" against score), with an interval; and the
scores at which that probability reaches 0.9, 0.95 and 0.99, with intervals.

The validation sample is drawn by score alone, so the curve needs no sampling weights. It is
fitted per site where the site's reviewed windows hold at least ``MIN_EACH`` of each kind, and
pooled over the deployment otherwise (the ``fit`` column says which).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reefclr.deploy.density import calibration_draws, logit

LEVELS = (0.9, 0.95, 0.99)
MIN_EACH = 5  # reviewed windows of each kind (with and without the sound) a site's own curve needs
DRAWS = 2000
CURVE_COLUMNS = ["site", "fit", "reviewed", "positives", "intercept", "slope"] + [
    f"score_p{int(p * 100)}{part}" for p in LEVELS for part in ("", "_low", "_high")]


def fit(reviewed: pd.DataFrame, seed: int, level: float = 0.9) -> pd.DataFrame:
    """Per site (and ``all``, pooled): the curve's intercept and slope in the score's logit, and
    the scores reaching each probability of ``LEVELS`` with a ``level`` interval (NaN where the
    curve does not rise with the score, or never reaches it)."""
    rng = np.random.default_rng(seed)
    pooled = _curve(reviewed, rng)
    rows = [_row("all", "pooled", reviewed, pooled, level)]
    for site, mine in reviewed.groupby("site", sort=True):
        own = mine["y"].sum() >= MIN_EACH and (1 - mine["y"]).sum() >= MIN_EACH
        rows.append(_row(site, "site" if own else "pooled", mine, _curve(mine, rng) if own else pooled, level))
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def _curve(reviewed: pd.DataFrame, rng):
    return calibration_draws(logit(reviewed["score"]), reviewed["y"].to_numpy().astype(float), DRAWS, rng)


def _row(site, kind: str, reviewed: pd.DataFrame, curve, level: float) -> dict:
    a, b = curve
    row = dict(site=site, fit=kind, reviewed=len(reviewed), positives=int(reviewed["y"].sum()), intercept=float(a[0]),
               slope=float(b[0]))
    lo, hi = (1 - level) / 2, (1 + level) / 2
    for p in LEVELS:
        score = score_at(p, a, b)
        name = f"score_p{int(p * 100)}"
        row |= {name: score[0], f"{name}_low": float(np.nanquantile(score[1:], lo)) if np.isfinite(score[1:]).any()
                else np.nan, f"{name}_high": float(np.nanquantile(score[1:], hi)) if np.isfinite(score[1:]).any()
                else np.nan}
    return row


def score_at(p: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The score at which the curve a + b logit(score) reaches probability ``p`` (NaN where it
    does not rise with the score)."""
    x = np.where(b > 0, (np.log(p / (1 - p)) - a) / np.where(b > 0, b, 1), np.nan)
    return 1 / (1 + np.exp(-x))


def probability(scores: np.ndarray, curve: pd.Series) -> np.ndarray:
    """The calibrated probability of the sound at each score, by one row of ``fit``."""
    return 1 / (1 + np.exp(-(curve["intercept"] + curve["slope"] * logit(scores))))


def per_window(windows: pd.DataFrame, curves: pd.DataFrame) -> np.ndarray:
    """Each window's calibrated probability, by its site's curve (the pooled one where its site
    has none)."""
    by_site = curves.set_index("site")
    out = np.empty(len(windows))
    for site, rows in windows.groupby("site").indices.items():
        curve = by_site.loc[site] if site in by_site.index else by_site.loc["all"]
        out[rows] = probability(windows["score"].to_numpy()[rows], curve)
    return out


def curve_points(curves: pd.DataFrame, n: int = 200) -> pd.DataFrame:
    """Points of each curve to draw (the pooled one, and each site's own): site, fit, score,
    probability."""
    scores = 1 / (1 + np.exp(-np.linspace(-10, 10, n)))  # even on the logit scale the figure uses
    shown = curves[(curves["site"] == "all") | (curves["fit"] == "site")]
    return pd.concat([pd.DataFrame({"site": c["site"], "fit": c["fit"], "score": scores,
                                    "probability": probability(scores, c)}) for _, c in shown.iterrows()],
                     ignore_index=True) if len(shown) else pd.DataFrame(columns=["site", "fit", "score", "probability"])


def thresholds(curves: pd.DataFrame) -> pd.DataFrame:
    """The pooled curve's scores for each probability of ``LEVELS``: level, score, low, high."""
    pooled = curves[curves["site"] == "all"]
    if pooled.empty:
        return pd.DataFrame(columns=["level", "score", "low", "high"])
    row = pooled.iloc[0]
    return pd.DataFrame([dict(level=p, score=row[f"score_p{int(p * 100)}"], low=row[f"score_p{int(p * 100)}_low"],
                              high=row[f"score_p{int(p * 100)}_high"]) for p in LEVELS])
