"""reefclr.core.vectors: an embeddings table's e0000.. columns as a matrix, and rows scaled to unit length."""

import numpy as np
import pandas as pd

from reefclr.core.vectors import matrix, normalise


def test_matrix_takes_the_vector_columns_in_their_order():
    table = pd.DataFrame({"clip_id": ["a", "b"], "e0000": [1.0, 4.0], "embedder": ["x", "y"], "e0001": [2.0, 5.0],
                          "label": ["fish", "boat"], "e0002": [3.0, 6.0], "e0003x": [9.0, 9.0], "entry": [0, 1]})
    x = matrix(table)
    assert x.dtype == np.float32 and x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert matrix(table, np.float64).dtype == np.float64
    assert matrix(table[["clip_id"]]).shape == (2, 0)  # no vector columns: an empty matrix, not the metadata


def test_normalise_gives_unit_rows_and_keeps_zero_rows_zero():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [-2.0, 0.0]])
    unit = normalise(x)
    np.testing.assert_allclose(unit, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]])
    assert np.isfinite(unit).all()
    np.testing.assert_allclose(np.linalg.norm(normalise(np.random.default_rng(0).normal(size=(5, 8))), axis=1), 1.0)
