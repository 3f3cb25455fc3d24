"""Embeddings in the study's raw-embedding CSV shape."""

from __future__ import annotations

import pandas as pd


def study_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The study's raw-embedding CSV shape: one row per clip, the vector, then label and dataset."""
    cols = [c for c in table.columns if c.startswith("e") and c[1:].isdigit()]
    out = table[cols].copy()
    out.columns = [str(i) for i in range(len(cols))]
    return out.assign(file_name=table["clip_id"].to_numpy(), label=table["label"].to_numpy(),
                      dataset=table["dataset"].to_numpy())
