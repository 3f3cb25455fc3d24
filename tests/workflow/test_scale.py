"""The clip count does not set the job count: a million-clip manifest, shards from config."""

import sys

import pandas as pd
from snakerun import REPO, planned_rules

sys.path.insert(0, str(REPO / "bench"))
from dag_scaling import prepare  # noqa: E402


def test_million_clips_plan_one_job_per_shard(tmp_path):
    wf = prepare(tmp_path / "wf", 1_000_000)
    assert len(pd.read_parquet(wf / "results/manifests/pretrain.parquet")) == 1_000_000
    counts = planned_rules(wf, "--configfile", "scale.yaml")
    assert counts["build_spectrogram_cache"] == 64 + 4
    assert counts["pretrain_simclr"] == 1 and counts["extract_embeddings"] == 3
    assert "segment_recordings" not in counts  # the manifests are there; no job per clip anywhere
