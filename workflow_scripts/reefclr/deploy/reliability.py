"""Which density rows to trust: each row is matched to the cell of the simulation grid it
resembles (bench/density_coverage.py wrote the grid's measured coverage beside this module),
and marked unreliable where that cell's 90% intervals covered the truth less than 85% of the
time, whatever the diel pattern. What the workflow cannot see (a reviewer's errors) is assumed
absent; docs/statistics.md gives the coverage with a reviewer who errs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

GRID = Path(__file__).with_name("density_coverage.csv")
FLOOR = 0.85


@cache
def grid() -> pd.DataFrame:
    """The measured coverage per cell (kind, peak, auc, density, bins, per_bin, error)."""
    return pd.read_csv(GRID)


@dataclass(frozen=True)
class Judge:
    """Marks rows of a density table made with ``bins`` score bins and ``per_bin`` reviewed
    windows per site and bin."""

    bins: int
    per_bin: int

    def __call__(self, row) -> str:
        """Why a row is unreliable ("" if it is not)."""
        if not np.isfinite(row["model_auc"]):
            return "the reviewed windows hold only one kind (with or without the sound): no score model to check"
        cell = nearest(grid(), "site" if row["kind"] in ("site", "deployment") else "hour", row["model_auc"],
                       row["density"], self)
        low = float(cell["coverage"].min())
        if low >= FLOOR:
            return ""
        first = cell.iloc[0]
        return (f"in simulation, rows like this one (ROC-AUC about {first['auc']:g}, density about "
                f"{first['density']:.1%}, {int(first['bins'])} bins, {int(first['per_bin'])} reviewed per bin) had "
                f"their 90% interval cover the truth {low:.0%} of the time")


def nearest(table: pd.DataFrame, kind: str, auc: float, density: float, judge: Judge) -> pd.DataFrame:
    """The grid rows of the cell nearest a row, over every diel pattern, with a reviewer who is
    right: nearest ROC-AUC, density (on a log scale), bins, and the largest sample size not above
    the row's."""
    part = table[(table["kind"] == kind) & (table["error"] == 0)]
    pick = {"auc": _closest(part["auc"], auc), "density": _closest(np.log(part["density"]), np.log(max(density, 1e-4)),
                                                                      values=part["density"]),
            "bins": _closest(part["bins"], judge.bins)}
    sizes = part["per_bin"].unique()
    pick["per_bin"] = max([p for p in sizes if p <= judge.per_bin], default=min(sizes))
    for column, value in pick.items():
        part = part[part[column] == value]
    return part


def _closest(column: pd.Series, value: float, values: pd.Series | None = None):
    values = column if values is None else values
    return values.iloc[int(np.argmin(np.abs(column.to_numpy() - value)))]
