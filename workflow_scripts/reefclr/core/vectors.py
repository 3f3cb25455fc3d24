"""Embedding tables as matrices: the e0000, e0001, ... columns, and unit rows for cosine."""

from __future__ import annotations

import numpy as np
import pandas as pd


def matrix(table: pd.DataFrame, dtype=np.float32) -> np.ndarray:
    """The (rows, dim) matrix of an embeddings table's vector columns (e0000, e0001, ...)."""
    return table.filter(regex=r"^e\d+$").to_numpy(dtype)


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
