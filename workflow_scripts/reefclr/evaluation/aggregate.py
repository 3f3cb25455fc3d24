"""Per-job metrics -> the study's result tables and one long table of every score."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reefclr.registry import display_name

RF_COLUMNS = ["Test Accuracy", "Test Precision", "Test Recall", "Test F1",
              "Train Accuracy", "Train Precision", "Train Recall", "Train F1", "Embedding", "Location"]
CHISQ_COLUMNS = ["Category", "Location", "Num_Clusters", "Chi2_Stat", "P_Value"]


def location(dataset_id: str) -> str:
    """The study's Location column: the test-set id without its ``test_`` prefix."""
    return dataset_id.removeprefix("test_")


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


LONG_COLUMNS = ["embedder", "dataset", "protocol", "metric", "repeat", "value", "grouping"]
CLUSTER_COLUMNS = ["embedder", "dataset", "num_clusters", "n_points", "chi2_stat", "p_value", "p_permutation",
                   "chi2_valid", "expected_below_5", "expected_min", "cramers_v", "cramers_v_corrected", "ami", "ari",
                   "homogeneity", "completeness", "converged"]


def long_table(rf: list[dict], clusters: list[dict], grouped: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy scores: embedder, dataset, protocol, metric, repeat, value, grouping. The study's
    single-split protocols (rf, cluster: grouping ``none``) are repeat 0; ``grouped`` holds the
    grouped probes' rows. Flags (chi2_valid) are 0/1."""
    rows = []
    for protocol, records, skip in (("rf", rf, ()), ("cluster", clusters, ("converged",))):
        for r in records:
            for key, value in r.items():
                if key in ("embedder", "dataset") or key in skip or not isinstance(value, (int, float)):
                    continue  # names, flags kept as 0/1 (bool is an int), left_out lists
                rows.append(dict(embedder=r["embedder"], dataset=r["dataset"], protocol=protocol,
                                 metric=key, repeat=0, value=float(value), grouping="none"))
    study = pd.DataFrame(rows, columns=LONG_COLUMNS)
    if grouped is None or grouped.empty:
        return study
    return pd.concat([study, grouped[LONG_COLUMNS]], ignore_index=True)


def cluster_table(records: list[dict]) -> pd.DataFrame:
    """Every clustering score beside the study's chi-square: its validity (Cochran's rule),
    the permutation p-value, plain and bias-corrected Cramer's V, AMI, ARI."""
    df = pd.DataFrame(records)
    df["embedder"] = df["embedder"].map(display_name)
    return df[[c for c in CLUSTER_COLUMNS if c in df.columns]].sort_values(["dataset", "embedder"], kind="stable")


def _by_location(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by Location; within a location, embedders keep the order the records came in."""
    return df.sort_values("Location", kind="stable").reset_index(drop=True)


def left_out_table(rf: list[dict], grouped_meta: list[tuple[str, str, dict]]) -> pd.DataFrame:
    """Classes left out of an evaluation (``evaluation.rare_classes: drop``): one row per test
    set, protocol and class with the reason and the embedders it applies to."""
    rows = [dict(dataset=r["dataset"], protocol="supervised" if "init" in r else "rf", embedder=r["embedder"],
                 cls=c, reason=why) for r in rf for c, why in r.get("left_out", {}).items()]
    rows += [dict(dataset=d, protocol=p, embedder=e, cls=c, reason=why)
             for (e, d, p), left in grouped_meta for c, why in left.items()]
    columns = ["dataset", "protocol", "class", "reason", "embedders"]
    if not rows:
        return pd.DataFrame(columns=columns)
    df = pd.DataFrame(rows)
    out = df.groupby(["dataset", "protocol", "cls", "reason"], sort=True)["embedder"].apply(
        lambda e: " ".join(sorted(set(map(display_name, e))))).reset_index()
    return out.rename(columns={"cls": "class", "embedder": "embedders"})[columns]
