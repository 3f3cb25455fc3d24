"""reefclr.deploy.search: faiss's exact top-k over shards equals brute force."""

import numpy as np
import pandas as pd

from reefclr.deploy import search


def _shard(path, x, start):
    n = len(x)
    table = pd.DataFrame({"clip_id": [f"w{start + i}" for i in range(n)], "source": "r.wav",
                          "offset_s": (start + np.arange(n)) * 1.92, "end_s": (start + np.arange(n)) * 1.92 + 1.92,
                          "site": "s", "time": pd.NaT})
    table = pd.concat([table, pd.DataFrame(x, columns=[f"e{i:04d}" for i in range(x.shape[1])])], axis=1)
    table.to_parquet(path)
    return str(path)


def test_top_k_over_shards_equals_brute_force(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 16)).astype(np.float32)
    shards = [_shard(tmp_path / "s0.parquet", x[:170], 0), _shard(tmp_path / "s1.parquet", x[170:], 170)]
    queries = pd.DataFrame(rng.normal(size=(3, 16)), columns=[f"e{i:04d}" for i in range(16)]).assign(
        query=["q1", "q2", "q3"])
    hits = search.hits_table(queries, shards, top_k=7, centre="none")
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    q = queries.filter(regex=r"^e\d+$").to_numpy()
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    for k, name in enumerate(["q1", "q2", "q3"]):
        mine = hits[hits["query"] == name]
        expected = np.argsort(-(unit @ q[k]))[:7]
        assert mine["clip_id"].tolist() == [f"w{i}" for i in expected]
        assert mine["rank"].tolist() == list(range(1, 8))
        np.testing.assert_allclose(mine["score"], (unit @ q[k])[expected], rtol=1e-5)


def test_centred_search_takes_the_deployment_mean_and_spreads_the_scores(tmp_path):
    """Windows sharing a large background component: raw cosines crowd near 1; centred on the
    deployment's mean window, they spread, and the ranking is brute force on centred vectors."""
    rng = np.random.default_rng(1)
    background = 20 * rng.normal(size=16).astype(np.float32)
    x = (background + rng.normal(size=(300, 16))).astype(np.float32)
    shards = [_shard(tmp_path / "s0.parquet", x[:120], 0), _shard(tmp_path / "s1.parquet", x[120:], 120)]
    queries = pd.DataFrame(x[[5, 200]] + 0.1, columns=[f"e{i:04d}" for i in range(16)]).assign(query=["q1", "q2"])
    raw = search.hits_table(queries, shards, top_k=20, centre="none")
    centred = search.hits_table(queries, shards, top_k=20)
    assert raw["score"].min() > 0.99 and centred["score"].max() - centred["score"].min() > 0.3
    np.testing.assert_allclose(search.deployment_mean(shards), x.mean(0), rtol=1e-5)
    c = x - x.mean(0)
    unit = c / np.linalg.norm(c, axis=1, keepdims=True)
    q = queries.filter(regex=r"^e\d+$").to_numpy() - x.mean(0)
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    assert centred[centred["query"] == "q1"]["clip_id"].tolist() == [f"w{i}" for i in np.argsort(-(unit @ q[0]))[:20]]
    assert centred.groupby("query")["clip_id"].first().tolist() == ["w5", "w200"]
