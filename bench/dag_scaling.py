"""A workflow whose manifests hold N synthetic clip rows (no audio), for dry-run timing.

For each size: a copy of the workflow in WORKDIR/<n>, a config whose pretraining dataset
has N rows in its manifest (written as if ingested) and 64 shards. Used by bench/workflow.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "workflow"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow_scripts"))

from snakerun import copy_workflow  # noqa: E402

from reefclr.data import manifest

CONFIG = """\
data:
  root: {root}
  datasets:
    - {{id: pretrain, role: pretrain, format: folders, path: audio, shards: 64}}
    - {{id: test_a, role: test, format: folders, path: audio, label_from_folder: true, shards: 4}}
"""


def synthetic_manifest(n: int, dataset: str, role: str, shards: int) -> pd.DataFrame:
    """n clip rows over recordings of one hour (1875 clips each)."""
    rec = np.arange(n) // 1875
    offsets = (np.arange(n) % 1875) * 1.92
    sources = pd.Series(rec).map(lambda r: f"audio/site{r % 19:02d}/rec{r:06d}.wav")
    rows = pd.DataFrame({"clip_id": [f"{s}@{int(o * 1000)}" for s, o in zip(sources, offsets)],
                         "source": sources, "offset_s": offsets, "duration_s": 1.92,
                         "label": None if role == "pretrain" else np.where(rec % 2, "a", "b"),
                         "dataset": dataset, "role": role, "group": sources, "site": "s", "start_time": pd.NaT})
    return manifest.finalize(rows, shards, dataset)


def prepare(workdir: Path, n: int) -> Path:
    wf = copy_workflow(workdir)
    (workdir / "data" / "audio").mkdir(parents=True, exist_ok=True)
    (wf / "scale.yaml").write_text(CONFIG.format(root=workdir / "data"))
    (wf / "results" / "manifests").mkdir(parents=True, exist_ok=True)
    (wf / "results" / "data_check").mkdir(parents=True, exist_ok=True)
    for dataset, role, rows, shards in (("pretrain", "pretrain", n, 64), ("test_a", "test", max(1000, n // 100), 4)):
        synthetic_manifest(rows, dataset, role, shards).to_parquet(wf / f"results/manifests/{dataset}.parquet")
        (wf / f"results/data_check/{dataset}.json").write_text(json.dumps({"dataset": dataset, "clips": rows}))
    return wf
