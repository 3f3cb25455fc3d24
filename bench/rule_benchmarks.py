"""Summarise a finished run's benchmarks/ folder: wall time and peak memory per rule.

Usage: python bench/rule_benchmarks.py [RUN_DIR]   (prints a Markdown table)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def summarise(run_dir: Path) -> pd.DataFrame:
    rows = []
    for tsv in sorted((run_dir / "benchmarks").rglob("*.tsv")):
        rule = tsv.relative_to(run_dir / "benchmarks").parts[0]
        bench = pd.read_csv(tsv, sep="\t")
        rows.append({"rule": rule, "s": bench["s"].iloc[0], "max_rss_mb": pd.to_numeric(
            bench["max_rss"], errors="coerce").fillna(0).iloc[0]})
    df = pd.DataFrame(rows)
    return df.groupby("rule", sort=False).agg(jobs=("s", "size"), total_s=("s", "sum"), max_job_s=("s", "max"),
                                              peak_rss_mb=("max_rss_mb", "max")).round(1).reset_index()


if __name__ == "__main__":
    table = summarise(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
    print(table.to_markdown(index=False) if hasattr(table, "to_markdown") else table.to_string(index=False))
