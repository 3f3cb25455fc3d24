"""The clip manifest: one row per clip, a reference into a source recording.

Columns: clip_id, source (path relative to the data root), offset_s, duration_s, label,
dataset, role, group (source recording, or what ``group_by`` chose, for grouped splits), site,
start_time (wall-clock start of the clip when the file name carries a timestamp, else null),
entry (position in the dataset's own index: the study's dataset.json order, which the study's
splits depend on; else the order clips were listed), shard.
"""

from __future__ import annotations

import zlib

import pandas as pd

COLUMNS = ["clip_id", "source", "offset_s", "duration_s", "label", "dataset", "role", "group", "site",
           "start_time", "entry", "shard"]


def make_clip_id(source: str, offset_s: float) -> str:
    """One key per clip: source file and start time in milliseconds."""
    return f"{source}@{int(round(offset_s * 1000))}"


def assign_shards(clip_ids: pd.Series, n_shards: int) -> pd.Series:
    """Stable shard of each clip: crc32(clip_id) mod n_shards."""
    return clip_ids.map(lambda c: zlib.crc32(c.encode()) % n_shards).astype("int32")


def finalize(rows: pd.DataFrame, n_shards: int, where: str) -> pd.DataFrame:
    """Order columns, check keys, sort, and add the shard column; errors start with ``where``."""
    if rows.empty:
        raise ValueError(f"{where}: no clips (no recording is as long as one clip, or no clip got a label)")
    dupes = rows["clip_id"][rows["clip_id"].duplicated()]
    if len(dupes):
        raise ValueError(f"{where}: duplicate clip ids, e.g. {dupes.iloc[0]!r} ({len(dupes)} duplicates)")
    rows = rows.copy()
    listed = pd.Series(range(len(rows)), index=rows.index, dtype="int64")
    rows["entry"] = rows["entry"].astype("Int64").fillna(listed).astype("int64") if "entry" in rows else listed
    rows = rows.sort_values(["source", "offset_s"], kind="stable").reset_index(drop=True)
    rows["shard"] = assign_shards(rows["clip_id"], n_shards)
    for col in ("offset_s", "duration_s"):
        rows[col] = rows[col].astype("float64")
    rows["start_time"] = pd.to_datetime(rows["start_time"])
    return rows[COLUMNS]


def validate(df: pd.DataFrame, where: str) -> None:
    """Check a manifest read back from disk."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{where}: manifest lacks columns {missing}")
    if df["clip_id"].duplicated().any():
        raise ValueError(f"{where}: duplicate clip ids")
