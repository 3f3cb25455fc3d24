"""Detections of one sound in a deployment: windows scoring at least the threshold, merged into
events per recording, and their site x date x hour and site x date summaries."""

from __future__ import annotations

import pandas as pd

EVENT_COLUMNS = ["source", "site", "offset_s", "end_s", "time", "score", "windows"]


def events(scores: pd.DataFrame, threshold: float, merge_gap_s: float) -> pd.DataFrame:
    """Windows scoring at least ``threshold``, merged per recording into events when the gap
    between them is at most ``merge_gap_s``: source, site, offset_s, end_s, time, score (max), windows."""
    hits = scores[scores["score"] >= threshold].sort_values(["source", "offset_s"])
    out = []
    for source, rows in hits.groupby("source", sort=True):
        current = None
        for r in rows.itertuples():
            if current is not None and r.offset_s - current["end_s"] <= merge_gap_s:
                current["end_s"] = max(current["end_s"], r.end_s)
                current["score"] = max(current["score"], r.score)
                current["windows"] += 1
                continue
            if current is not None:
                out.append(current)
            current = dict(source=source, site=r.site, offset_s=r.offset_s, end_s=r.end_s, time=r.time,
                           score=r.score, windows=1)
        if current is not None:
            out.append(current)
    return pd.DataFrame(out, columns=EVENT_COLUMNS)


def summaries(scores: pd.DataFrame, found: pd.DataFrame, hop_s: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per site x date x hour and per site x date: recorded minutes, events (by start time),
    events per recorded hour and the mean window score. Windows without a time are left out."""
    windows = scores.dropna(subset=["time"]).assign(date=lambda d: d["time"].dt.date.astype(str),
                                                    hour=lambda d: d["time"].dt.hour)
    ev = found.dropna(subset=["time"]).assign(date=lambda d: d["time"].dt.date.astype(str),
                                              hour=lambda d: d["time"].dt.hour)
    out = []
    for keys in (["site", "date", "hour"], ["site", "date"]):
        effort = windows.groupby(keys).agg(windows=("score", "size"), mean_score=("score", "mean"))
        effort["recorded_min"] = effort["windows"] * hop_s / 60
        counts = ev.groupby(keys).size().rename("events")
        table = effort.join(counts).fillna({"events": 0}).reset_index()
        table["events"] = table["events"].astype(int)
        table["events_per_hour"] = table["events"] / (table["recorded_min"] / 60)
        out.append(table[keys + ["recorded_min", "events", "events_per_hour", "mean_score", "windows"]])
    return out[0], out[1]
