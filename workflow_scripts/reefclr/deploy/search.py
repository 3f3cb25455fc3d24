"""Search by example: the windows of a deployment nearest to each query sound (cosine, exact,
with faiss), one shard in memory at a time.

Embeddings share a large common component (every window of one hydrophone holds its noise
floor), so raw cosines crowd near 1 and a score says little. With ``centre: deployment`` the
mean window of the deployment is taken from windows and queries before the cosine (a first
pass over the shards), so scores spread over their range and rank the same sounds by what
sets them apart from the background.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reefclr.core.vectors import matrix, normalise

META = ["clip_id", "source", "offset_s", "end_s", "site", "time"]


def deployment_mean(shard_paths: list[str]) -> np.ndarray | None:
    """The mean window vector over every shard (float64 sums, one shard in memory at a time)."""
    total, n = None, 0
    for path in shard_paths:
        x = matrix(pd.read_parquet(path), np.float64)
        if len(x):
            total = x.sum(0) if total is None else total + x.sum(0)
            n += len(x)
    return None if total is None else (total / n).astype(np.float32)


def search(queries: np.ndarray, shard_paths: list[str], top_k: int, centre: str = "deployment"
           ) -> list[pd.DataFrame]:
    """Exact cosine top-k of each query over every shard, one shard in memory at a time (faiss
    inner product on unit vectors, after taking away the deployment's mean window with
    ``centre: deployment``); per query the best ``top_k`` windows with their score."""
    import faiss

    if centre not in ("deployment", "none"):
        raise ValueError(f"unknown deploy.centre {centre!r}; known: deployment, none")
    mean = deployment_mean(shard_paths) if centre == "deployment" else None
    shift = np.zeros(queries.shape[1], dtype=np.float32) if mean is None else mean
    best = [pd.DataFrame(columns=META + ["score"]) for _ in range(len(queries))]
    for path in shard_paths:
        table = pd.read_parquet(path)
        if table.empty:
            continue
        index = faiss.IndexFlatIP(queries.shape[1])
        index.add(normalise(matrix(table) - shift))
        scores, ids = index.search(normalise(queries - shift), min(top_k, len(table)))
        for q in range(len(queries)):
            hits = table[META].iloc[ids[q]].assign(score=scores[q])
            best[q] = hits if best[q].empty else pd.concat([best[q], hits]).nlargest(top_k, "score")
    return best


def hits_table(queries: pd.DataFrame, shard_paths: list[str], top_k: int, centre: str = "deployment"
               ) -> pd.DataFrame:
    """The top-k windows per query: query, rank, file, start, end, site, time, score."""
    found = search(matrix(queries), shard_paths, top_k, centre)
    rows = [hits.reset_index(drop=True).assign(query=q, rank=np.arange(1, len(hits) + 1))
            for q, hits in zip(queries["query"], found, strict=True)]
    table = pd.concat(rows, ignore_index=True)
    return table[["query", "rank", "source", "offset_s", "end_s", "site", "time", "score", "clip_id"]]
