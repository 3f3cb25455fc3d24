"""Per-job metrics -> the study's result tables and one long table of every score."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

DISPLAY_NAMES = {"reefclr": "ReefCLR", "random_init": "RandomInit", "mel_stats": "MelStats"}
RF_COLUMNS = ["Test Accuracy", "Test Precision", "Test Recall", "Test F1",
              "Train Accuracy", "Train Precision", "Train Recall", "Train F1", "Embedding", "Location"]
CHISQ_COLUMNS = ["Category", "Location", "Num_Clusters", "Chi2_Stat", "P_Value"]


def location(dataset_id: str) -> str:
    """The study's Location column: the test-set id without its ``test_`` prefix."""
    return dataset_id.removeprefix("test_")


def display_name(embedder: str) -> str:
    return DISPLAY_NAMES.get(embedder, embedder)


def read_records(paths: list[str | Path]) -> list[dict]:
    return [json.loads(Path(p).read_text()) for p in paths]


def rf_table(records: list[dict]) -> pd.DataFrame:
    """RF_results in the study's columns, sorted by location then embedder as given."""
    rows = []
    for r in records:
        row = {f"{split.title()} {metric.title() if metric != 'f1' else 'F1'}": r[f"{split}_{metric}"]
               for split in ("test", "train") for metric in ("accuracy", "precision", "recall", "f1")}
        rows.append(row | {"Embedding": display_name(r["embedder"]), "Location": location(r["dataset"])})
    return _by_location(pd.DataFrame(rows, columns=RF_COLUMNS))


def chisq_table(records: list[dict]) -> pd.DataFrame:
    """chisq_results in the study's columns."""
    rows = [{"Category": display_name(r["embedder"]), "Location": location(r["dataset"]),
             "Num_Clusters": int(r["num_clusters"]), "Chi2_Stat": r["chi2_stat"], "P_Value": r["p_value"]}
            for r in records]
    return _by_location(pd.DataFrame(rows, columns=CHISQ_COLUMNS))


def long_table(rf: list[dict], clusters: list[dict]) -> pd.DataFrame:
    """Tidy scores: embedder, dataset, protocol, metric, value."""
    rows = []
    for protocol, records, skip in (("rf", rf, ()), ("cluster", clusters, ("converged",))):
        for r in records:
            for key, value in r.items():
                if key in ("embedder", "dataset") or key in skip or isinstance(value, (str, bool)):
                    continue
                rows.append(dict(embedder=r["embedder"], dataset=r["dataset"], protocol=protocol,
                                 metric=key, value=float(value)))
    return pd.DataFrame(rows, columns=["embedder", "dataset", "protocol", "metric", "value"])


def _by_location(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by Location; within a location, embedders keep the order the records came in."""
    return df.sort_values("Location", kind="stable").reset_index(drop=True)
