"""Review tables: the samples written for review (Raven selection tables with an empty Review
column and the columns that make them reusable), and reviewed tables read back as labelled
deployment windows.

A sample's table records, per window, its site, score and score bin, its design cell and the
windows of that cell (so its labels keep their sampling weights), and the checksum of the
classifier whose scores it was drawn from (so a later classifier knows whether the sample was
drawn from its own scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.data import raven
from reefclr.deploy import sampling
from reefclr.settings import Classifier

SAMPLE_COLUMNS = ["Source", "Site", "Score", "Bin", "Cell", "Cell windows", "Classifier"]


@dataclass(frozen=True)
class Marks:
    """How a reviewed table is read: its column and the values meaning yes, no and unsure."""

    column: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    unsure: tuple[str, ...] = ()


def write_sample(path: Path, rows: pd.DataFrame, sound: str, edges: np.ndarray, classifier_sha: str) -> None:
    """A review sample (windows with source, offset_s, end_s, site, score and, for a stratified
    sample, cell and cell_windows) as a Raven table, one row per window."""
    cell = rows["cell"] + 1 if "cell" in rows else pd.Series(pd.NA, index=rows.index)
    table = rows.assign(Source=rows["source"], Site=rows["site"], Score=rows["score"].round(6),
                        Bin=sampling.bin_of(rows["score"].to_numpy(), edges) + 1, Cell=cell,
                        **{"Cell windows": rows.get("cell_windows", pd.NA)}, Classifier=classifier_sha)
    raven.write_selections(Path(path), table, table["source"].map(lambda p: Path(p).name).to_numpy(), sound,
                           SAMPLE_COLUMNS)


def read_reviewed(path: Path, marks: Marks, windows: pd.DataFrame) -> pd.DataFrame:
    """The deployment windows a reviewed Raven table marks, with ``y`` 1 (a positive value) or 0
    (a negative one), and the sample's ``cell``, ``cell_windows`` and ``classifier`` where the
    table has them. Blank rows and ``unsure`` marks are left out; any other value is an error
    naming the file and the row."""
    table = _read(path)
    if marks.column not in table.columns:
        raise ValueError(f"{path}: reviewed table lacks column(s) {[marks.column]}; has {list(table.columns)}")
    rows, index = [], _index(table, windows)
    for i, row in table.iterrows():
        value = row[marks.column].strip()
        if not value or value in marks.unsure:
            continue
        if value not in marks.positive + marks.negative:
            raise ValueError(f"{path}: row {i + 1}: {marks.column} {value!r} is neither positive "
                             f"{list(marks.positive)} nor negative {list(marks.negative)}")
        rows.append(_window(path, i, row, windows, index).assign(y=int(value in marks.positive), **_design(row)))
    if not rows:
        raise ValueError(f"{path}: no reviewed rows (column {marks.column!r} is empty everywhere)")
    out = pd.concat(rows, ignore_index=True)
    return out.assign(group=out["source"])


def sampled_windows(path: Path, windows: pd.DataFrame) -> list[str]:
    """The clip ids of every window a review table lists, reviewed or not."""
    table = _read(path)
    index = _index(table, windows)
    return [clip for i, row in table.iterrows() for clip in _window(path, i, row, windows, index)["clip_id"]]


def census(paths: list[str], marks: Marks, scores: pd.DataFrame, sample: pd.DataFrame) -> pd.DataFrame:
    """The windows of the classifier's own reviewed table (``paths``: none or one) outside the
    sample: known with certainty, and left out of the pool the sample was drawn from."""
    if not paths:
        return sample.iloc[:0]
    rows = read_reviewed(Path(paths[0]), marks, scores)
    return rows[~rows["clip_id"].isin(sample["clip_id"])].assign(cell=sampling.CENSUS, cell_windows=1)


def _read(path: Path) -> pd.DataFrame:
    table = raven.one_row_per_selection(pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False))
    by = "Source" if "Source" in table.columns else "Begin File"
    missing = [c for c in (by, raven.RAVEN_BEGIN) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: reviewed table lacks column(s) {missing}; has {list(table.columns)}")
    return table


def _index(table: pd.DataFrame, windows: pd.DataFrame) -> dict:
    """Window positions by (recording, start): the recording's ``Source`` path where the table has
    that column, else its file name (Begin File)."""
    names = windows["source"] if "Source" in table.columns else windows["source"].map(lambda s: Path(s).name)
    index: dict = {}
    for pos, key in enumerate(zip(names, windows["offset_s"].round(3))):
        index.setdefault(key, []).append(pos)
    return index


def _window(path: Path, i: int, row: pd.Series, windows: pd.DataFrame, index: dict) -> pd.DataFrame:
    """The one window a table row names (by recording and Begin Time)."""
    at = row["Source"] if "Source" in row.index else row["Begin File"]
    start = round(float(row[raven.RAVEN_BEGIN]), 3)
    found = index.get((at, start), [])
    if not found:
        raise ValueError(f"{path}: row {i + 1}: no window of the deployment starts at {start} s in {at}")
    if len(found) > 1:
        raise ValueError(f"{path}: row {i + 1}: {len(found)} recordings are named {at} (several sites); "
                         "add a Source column with the recording's path under data.root")
    return windows.iloc[found].reset_index(drop=True)


def _design(row: pd.Series) -> dict:
    cell, size = row.get("Cell", ""), row.get("Cell windows", "")
    return dict(cell=int(cell) - 1 if cell not in ("", None) else pd.NA,
                cell_windows=int(size) if size not in ("", None) else pd.NA,
                classifier=row.get("Classifier", "") or "")


@dataclass(frozen=True)
class Reviewed:
    """Reviewed windows with their design cells; ``own``: drawn from the current scores (its
    cells are the current score bins); ``note``: what was assumed."""

    windows: pd.DataFrame
    own: bool
    note: str


def with_design(reviewed: pd.DataFrame, scores: pd.DataFrame, edges: np.ndarray, classifier_sha: str) -> Reviewed:
    """The reviewed windows with their design cells. A sample drawn from these scores, or a
    table without design columns, takes the current score bins as cells; a sample drawn from
    another classifier's scores keeps its own cells and weights."""
    drawn = set(reviewed["classifier"]) - {""}
    if drawn and drawn != {classifier_sha}:
        if reviewed["cell"].isna().any():
            raise ValueError(f"reviewed windows sampled from the scores of classifier(s) {sorted(drawn)}, not "
                             f"{classifier_sha}, without their Cell and Cell windows columns: their sampling weights "
                             "are unknown, so they cannot stand for the deployment; review a sample of these scores")
        note = (f"reviewed windows sampled from the scores of classifier(s) {sorted(drawn)}, not {classifier_sha}: "
                "their own design cells and weights are used")
        return Reviewed(reviewed.astype({"cell": int, "cell_windows": int}), False, note)
    bins = sampling.bin_of(scores["score"].to_numpy(), edges)
    sizes = scores.assign(bin=bins).groupby(["site", "bin"]).size()
    cell = sampling.bin_of(reviewed["score"].to_numpy(), edges)
    note = ("drawn from these scores" if drawn == {classifier_sha} else
            "the table names no classifier: assumed drawn from these scores, by score bin")
    sized = reviewed.assign(cell=cell, cell_windows=[int(sizes[(s, b)]) for s, b in zip(reviewed["site"], cell)])
    return Reviewed(sized, True, note)


def training_marks(cfg: Classifier, unsure: tuple[str, ...]) -> Marks:
    """How a classifier's own reviewed table is read (its column, values, and the unsure marks)."""
    return Marks(cfg.column, cfg.positive, cfg.negative or (), unsure)
