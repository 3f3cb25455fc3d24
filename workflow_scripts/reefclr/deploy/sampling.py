"""Review samples of a deployment's scored windows: score bins, the validation sample
stratified by site and score bin (for call density and the threshold), and the
active-learning sample (for the next classifier).

The validation sample is a stratified random sample: every window of a site's score bin (a
design cell) had the same chance to be drawn, ``drawn / cell_windows``. Each sampled window
keeps its cell and the cell's size, so its labels stay usable with the right weights after the
classifier, and with it the scores and bins, has changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CENSUS = -1  # the design cell of a window reviewed outside the random sample (known with certainty)


def score_bins(scores: np.ndarray, bins: int, spacing: str = "geometric") -> np.ndarray:
    """Inner edges of ``bins`` score bins at quantiles of the scores (ties merged: fewer bins
    then). ``quantile``: equal shares of windows; ``geometric``: each bin half the share of the
    one below it (quantiles 1/2, 3/4, 7/8, ...), so the sample reviews the high scores, where a
    rare sound and the detection threshold are, more closely (as perch-hoplite's call density
    does)."""
    if spacing == "quantile":
        cuts = np.linspace(0, 1, bins + 1)[1:-1]
    elif spacing == "geometric":
        cuts = 1 - 0.5 ** np.arange(1, bins)
    else:
        raise ValueError(f"unknown deploy.review.spacing {spacing!r}; known: geometric, quantile")
    return np.unique(np.quantile(scores, cuts))


def bin_of(scores: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin (0-based) of each score."""
    return np.searchsorted(edges, scores, side="right")


def validation_sample(scores: pd.DataFrame, edges: np.ndarray, per_bin: int, seed: int,
                      exclude: set[str] = frozenset()) -> pd.DataFrame:
    """Up to ``per_bin`` windows drawn at random (seeded) from each site's score bins, leaving out
    the ``exclude`` clip ids (already reviewed); with their bin, their design ``cell`` (the bin)
    and ``cell_windows`` (the windows of the site and bin, the excluded ones left out)."""
    rng = np.random.default_rng(seed)
    keep = ~scores["clip_id"].isin(exclude)
    pool = scores[keep].assign(bin=bin_of(scores.loc[keep, "score"].to_numpy(), edges))
    parts = []
    for _, part in pool.groupby(["site", "bin"], sort=True):
        drawn = part.iloc[rng.choice(len(part), size=min(per_bin, len(part)), replace=False)]
        parts.append(drawn.assign(cell=drawn["bin"], cell_windows=len(part)))
    if not parts:  # every window has been reviewed already
        return pool.assign(cell=pd.Series(dtype=int), cell_windows=pd.Series(dtype=int))
    return pd.concat(parts).sort_values(["source", "offset_s"]).reset_index(drop=True)


def active_sample(scores: pd.DataFrame, threshold: float, n: int, exclude: set[str] = frozenset()) -> pd.DataFrame:
    """Windows to review for the next classifier: half nearest the decision threshold, half the
    top-scoring ones, none already reviewed or twice."""
    pool = scores[~scores["clip_id"].isin(exclude)]
    near = pool.iloc[np.argsort(np.abs(pool["score"].to_numpy() - threshold), kind="stable")[: n // 2]]
    top = pool[~pool["clip_id"].isin(near["clip_id"])].nlargest(n - len(near), "score")
    return pd.concat([near, top]).sort_values(["source", "offset_s"]).reset_index(drop=True)
