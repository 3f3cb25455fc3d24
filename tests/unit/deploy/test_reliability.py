"""reefclr.deploy.reliability: rows matched to the simulation grid's cells, marked unreliable
where those cells were under-covered; the shipped grid matches the estimator."""

import numpy as np
import pandas as pd
import pytest

from reefclr.deploy import density, reliability


def _grid():
    rows = []
    for kind in ("site", "hour"):
        for auc in (0.65, 0.8, 0.93):
            for d in (0.001, 0.01, 0.05, 0.3):
                for peak in (1.0, 15.0):
                    for per_bin in (10, 25):
                        coverage = 0.9 if (auc > 0.7 and d > 0.005) else 0.7
                        coverage = 0.8 if (kind == "hour" and peak == 15 and auc == 0.8 and per_bin == 10) else coverage
                        rows.append(dict(kind=kind, auc=auc, density=d, peak=peak, bins=5, per_bin=per_bin,
                                         error=0.0, coverage=coverage))
    return pd.DataFrame(rows)


@pytest.fixture
def grid(monkeypatch):
    monkeypatch.setattr(reliability, "grid", _grid)


def _row(kind="site", auc=0.9, density=0.1):
    return {"kind": kind, "model_auc": auc, "density": density}


def test_rows_like_under_covered_cells_are_marked_with_the_reason(grid):
    judge = reliability.Judge(bins=5, per_bin=10)
    assert judge(_row()) == ""
    reason = judge(_row(auc=0.6, density=0.2))
    assert "ROC-AUC about 0.65" in reason and "cover the truth 70% of the time" in reason
    assert "density about 0.1%" in judge(_row(density=0.0008))
    assert "80%" in judge(_row(kind="hour", auc=0.82))  # the worst diel pattern counts
    assert reliability.Judge(bins=5, per_bin=30)(_row(kind="hour", auc=0.82)) == ""  # the larger sample's cell
    assert "only one kind" in judge(_row(auc=np.nan))


def test_the_judge_marks_a_density_table(grid):
    rows = pd.DataFrame([_row(), _row(auc=0.6)]).assign(reason="", reliable=True)
    marked = [reliability.Judge(5, 10)(r) for _, r in rows.iterrows()]
    assert [bool(m) for m in marked] == [False, True]


def test_the_shipped_grid_was_measured_with_the_workflows_estimator():
    shipped = pd.read_csv(reliability.GRID)
    m = density.METHOD
    assert set(shipped["method"]) == {f"{m.model}/{m.prior}/{m.point}"}
    assert {"site", "hour"} == set(shipped["kind"]) and shipped["coverage"].between(0, 1).all()
    assert set(shipped["error"]) == {0.0, 0.05}
