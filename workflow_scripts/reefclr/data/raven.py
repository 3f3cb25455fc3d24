"""Raven Pro selection tables: read (annotations, queries, known events, reviewed hits) and
written for review, one per recording with times in that file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from reefclr.core.atomic import atomic_path

RAVEN_BEGIN = "Begin Time (s)"
RAVEN_END = "End Time (s)"


def one_row_per_selection(table: pd.DataFrame) -> pd.DataFrame:
    """Raven Pro writes a row per selection and view (``Waveform 1``, ``Spectrogram 1``, ...),
    all with the same ``Selection`` number and times: keep one, the spectrogram's where there is
    one (Rraven's imp_raven keeps the spectrogram rows likewise)."""
    if "Selection" not in table.columns or "View" not in table.columns or not table["Selection"].duplicated().any():
        return table
    spectrogram = table["View"].astype(str).str.contains("spectrogram", case=False)
    order = table.assign(_pick=~spectrogram).sort_values(["_pick"], kind="stable")
    return order.drop_duplicates("Selection").drop(columns="_pick").sort_index()


def read_raven_table(path: Path, label_column: str) -> pd.DataFrame:
    """A Raven selection table -> columns begin_s, end_s, label (and begin_file if present), one
    row per selection (``one_row_per_selection``)."""
    try:
        table = pd.read_csv(path, sep="\t")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a tab-separated Raven selection table ({exc})") from exc
    table = one_row_per_selection(table).reset_index(drop=True)
    missing = [c for c in (RAVEN_BEGIN, RAVEN_END, label_column) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: Raven table lacks column(s) {missing}; has {list(table.columns)}")
    out = events_table(table[RAVEN_BEGIN], table[RAVEN_END], table[label_column], path, "selection row",
                       label_column)
    if "Begin File" in table.columns:
        out["begin_file"] = table["Begin File"].astype(str)
    return out


def events_table(begin, end, label, path, what: str, label_column: str) -> pd.DataFrame:
    """begin_s, end_s, label of annotated events; bad times or empty labels name the row."""
    out = pd.DataFrame({"begin_s": pd.to_numeric(begin, errors="coerce"),
                        "end_s": pd.to_numeric(end, errors="coerce"),
                        "label": label.astype("string").str.strip()})
    for i, row in enumerate(out.itertuples()):
        where = f"{path}: {what} {i + 1}"
        if pd.isna(row.begin_s) or pd.isna(row.end_s) or row.end_s <= row.begin_s or row.begin_s < 0:
            raise ValueError(f"{where}: invalid times begin={row.begin_s} end={row.end_s}")
        if pd.isna(row.label) or not row.label:
            raise ValueError(f"{where}: empty label in column {label_column!r}")
    return out


COLUMNS = ["Selection", "View", "Channel", RAVEN_BEGIN, RAVEN_END, "Low Freq (Hz)", "High Freq (Hz)", "Begin File",
           "Annotation"]


def write_selections(path: Path, rows: pd.DataFrame, begin_file, label: str, extra: list[str]) -> None:
    """``rows`` (offset_s, end_s and the ``extra`` columns) as a tab-separated Raven table
    with an empty ``Review`` column to fill in (the positive / negative values of the config);
    ``begin_file``: the recording's file name, or one per row."""
    table = pd.DataFrame({
        "Selection": range(1, len(rows) + 1), "View": "Spectrogram 1", "Channel": 1,
        RAVEN_BEGIN: rows["offset_s"].round(4).to_numpy(), RAVEN_END: rows["end_s"].round(4).to_numpy(),
        "Low Freq (Hz)": 0.0, "High Freq (Hz)": 0.0, "Begin File": begin_file, "Annotation": label})
    for column in extra:
        table[column] = rows[column].to_numpy()
    table["Review"] = ""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, sep="\t", index=False)


def write_tables(events: pd.DataFrame, folder: Path, label: str, extra: list[str]) -> int:
    """One Raven table per recording of ``events`` (source, offset_s, end_s, ...) in ``folder``
    (replaced); returns the number of tables."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for source, rows in events.groupby("source", sort=True):
        write_selections(folder / f"{Path(source).stem}.{label}.selections.txt", rows, Path(source).name, label, extra)
    return int(events["source"].nunique())
