"""Search by example: the windows of a deployment nearest to each query sound (cosine, exact,
with faiss), one shard in memory at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reefclr.core.vectors import matrix, normalise

META = ["clip_id", "source", "offset_s", "end_s", "site", "time"]


def search(queries: np.ndarray, shard_paths: list[str], top_k: int) -> list[pd.DataFrame]:
    """Exact cosine top-k of each query over every shard, one shard in memory at a time (faiss
    inner product on unit vectors); per query the best ``top_k`` windows with their score."""
    import faiss

    best = [pd.DataFrame(columns=META + ["score"]) for _ in range(len(queries))]
    for path in shard_paths:
        table = pd.read_parquet(path)
        if table.empty:
            continue
        index = faiss.IndexFlatIP(queries.shape[1])
        index.add(normalise(matrix(table)))
        scores, ids = index.search(normalise(queries), min(top_k, len(table)))
        for q in range(len(queries)):
            hits = table[META].iloc[ids[q]].assign(score=scores[q])
            best[q] = hits if best[q].empty else pd.concat([best[q], hits]).nlargest(top_k, "score")
    return best


def hits_table(queries: pd.DataFrame, shard_paths: list[str], top_k: int) -> pd.DataFrame:
    """The top-k windows per query: query, rank, file, start, end, site, time, score."""
    found = search(matrix(queries), shard_paths, top_k)
    rows = [hits.reset_index(drop=True).assign(query=q, rank=np.arange(1, len(hits) + 1))
            for q, hits in zip(queries["query"], found, strict=True)]
    table = pd.concat(rows, ignore_index=True)
    return table[["query", "rank", "source", "offset_s", "end_s", "site", "time", "score", "clip_id"]]
