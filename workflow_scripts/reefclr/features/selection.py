"""Event-rich pretraining clips: keep the clips of a cache where most happens.

A reef archive is mostly background; SimCLR on background learns background. Choosing
event-rich windows before contrastive pretraining helps few-shot bioacoustic tasks
(arXiv 2312.15824). Each clip gets a score from its cached mel power:

- ``flux``: mean positive spectral flux of the dB mel (onsets: calls, snaps, knocks);
- ``energy``: the clip's 95th percentile of dB mel frame energy above its median (loud
  moments over the clip's own background).

and the top ``keep`` fraction of clips (at least one per site when the sites allow it) is the
pretraining set. ``keep: 1`` (the study) keeps every clip and scores nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reefclr.features.cachedset import CachedSet

CHUNK = 256  # clips scored at a time: memory bounded by a chunk


def clip_scores(mel: np.ndarray, by: str) -> np.ndarray:
    """(clips, n_mels, frames) power -> one score per clip."""
    db = 10 * np.log10(np.maximum(mel, 1e-10))
    if by == "flux":
        return np.maximum(np.diff(db, axis=2), 0).mean(axis=(1, 2))
    if by == "energy":
        frames = db.mean(axis=1)
        return np.percentile(frames, 95, axis=1) - np.median(frames, axis=1)
    raise ValueError(f"unknown pretrain.select.by {by!r}; known: flux, energy")


def scores(data: CachedSet, by: str) -> np.ndarray:
    return np.concatenate([clip_scores(data.mel(np.arange(i, min(i + CHUNK, len(data)))), by)
                           for i in range(0, len(data), CHUNK)]) if len(data) else np.empty(0)


def event_rich(data: CachedSet, keep: float, by: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Positions of the kept clips (sorted), and per site the clips before and after."""
    site = data.index["site"].fillna("").astype(str) if "site" in data.index else pd.Series([""] * len(data))
    if keep >= 1:
        kept = np.arange(len(data))
    else:
        score = scores(data, by)
        n = max(1, int(round(keep * len(data))))
        kept = np.argsort(-score, kind="stable")[:n]
        for s in np.unique(site):  # every site keeps its best clip
            mine = np.flatnonzero(site.to_numpy() == s)
            if not np.isin(mine, kept).any():
                kept = np.append(kept, mine[np.argmax(score[mine])])
        kept = np.sort(kept)
    report = pd.DataFrame({"site": site, "kept": np.isin(np.arange(len(data)), kept)})
    report = report.groupby("site")["kept"].agg(clips="size", kept="sum").reset_index()
    return kept, report
