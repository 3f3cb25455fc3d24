"""Search by example at scale: one query over 1,000,000 windows of 1,024-d on this machine.

Exact top-10 (faiss IndexFlatIP on unit vectors, what the workflow's search rule runs) and an
approximate index (faiss IVF-Flat) tuned to recall@10 >= 0.95 against the exact answer. The
vectors are a mixture of 2,000 Gaussian clusters (embeddings of real sounds cluster; uniform
noise would be the worst case of any index). Writes the search section of docs/benchmarks.md.

Usage: python bench/search.py
"""

from __future__ import annotations

import resource
import time

import numpy as np
from common import table, write_section

N, DIM, CLUSTERS, QUERIES, K = 1_000_000, 1024, 5_000, 100, 10


def rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def data(rng) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around CLUSTERS centres, and QUERIES queries near some of them."""
    centres = rng.standard_normal((CLUSTERS, DIM), dtype=np.float32)
    x = np.empty((N, DIM), dtype=np.float32)
    for start in range(0, N, 100_000):
        n = min(100_000, N - start)
        x[start : start + n] = centres[rng.integers(0, CLUSTERS, n)] + 1.0 * rng.standard_normal((n, DIM),
                                                                                                dtype=np.float32)
    q = x[rng.choice(N, QUERIES, replace=False)] + 0.3 * rng.standard_normal((QUERIES, DIM), dtype=np.float32)
    import faiss

    faiss.normalize_L2(x)
    faiss.normalize_L2(q)
    return x, q


def per_query_ms(index, q: np.ndarray) -> tuple[float, np.ndarray]:
    """Median milliseconds of one query at a time, and the top-K ids of every query."""
    ids, times = [], []
    for row in q:
        start = time.perf_counter()
        _, found = index.search(row[None], K)
        times.append(1000 * (time.perf_counter() - start))
        ids.append(found[0])
    return float(np.median(times)), np.array(ids)


def main() -> None:
    import faiss

    faiss.omp_set_num_threads(2)
    rng = np.random.default_rng(0)
    x, q = data(rng)
    rows = []
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    flat.add(x)
    build = time.perf_counter() - start
    exact_ms, exact = per_query_ms(flat, q[:20])
    _, exact_all = flat.search(q, K)
    rows.append(["exact (IndexFlatIP)", "-", build, exact_ms, 1.0, x.nbytes / 2**30])
    del flat
    nlist = 4096
    start = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(x[rng.choice(N, 160_000, replace=False)])
    ivf.add(x)
    build = time.perf_counter() - start
    for nprobe in (1, 4, 16, 64, 256):
        ivf.nprobe = nprobe
        ms, found = per_query_ms(ivf, q)
        recall = np.mean([len(set(a) & set(b)) / K for a, b in zip(found, exact_all, strict=True)])
        rows.append([f"IVF-Flat nlist {nlist}", nprobe, build, ms, recall, x.nbytes / 2**30])
    write_section("search", "python bench/search.py",
                  f"{N:,} unit vectors of {DIM}-d ({CLUSTERS:,} clusters), {QUERIES} queries near data points, "
                  f"top-{K}, one query at a time, 2 threads; recall@{K} against the exact search; peak RSS of the "
                  f"benchmark {rss_gib():.1f} GiB (the data: {x.nbytes / 2**30:.1f} GiB).\n\n"
                  + table(["index", "nprobe", "build s", "ms per query (median)", f"recall@{K}", "vectors GiB"], rows))


if __name__ == "__main__":
    main()
