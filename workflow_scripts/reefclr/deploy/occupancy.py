"""Detection histories for occupancy models: per site and occasion (a day, or an hour of a
date), detected or not, with the recorded minutes, in the wide layout of R's unmarked."""

from __future__ import annotations

import pandas as pd


def detection_history(scores: pd.DataFrame, found: pd.DataFrame, occasion: str, hop_s: float) -> pd.DataFrame:
    """Per site (rows) and occasion (a day, or an hour of a date): 1 detected, 0 recorded and
    not detected, NA not recorded, with the recorded minutes beside it, in the wide layout of
    R's unmarked (csvToUMF: site, y.1..y.J, then observation covariates effort.1..effort.J)
    and spOccupancy. ``history_occasions`` gives the labels of occasions 1..J."""
    windows = scores.dropna(subset=["time"])
    keys = _occasions(windows["time"], occasion)
    effort = windows.assign(occasion=keys).groupby(["site", "occasion"])["end_s"].size()
    hop_min = hop_s / 60
    ev = found.dropna(subset=["time"])
    detected = ev.assign(occasion=_occasions(ev["time"], occasion)).groupby(["site", "occasion"]).size()
    occasions = sorted(set(keys))
    sites = sorted(windows["site"].unique())
    out = pd.DataFrame({"site": sites})
    for j, occ in enumerate(occasions, 1):
        minutes = [float(effort.get((site, occ), 0)) * hop_min for site in sites]
        seen = [int(detected.get((site, occ), 0) > 0) for site in sites]
        out[f"y.{j}"] = [s if m > 0 else pd.NA for s, m in zip(seen, minutes)]
        out[f"effort.{j}"] = [m if m > 0 else pd.NA for m in minutes]
    y_cols = [c for c in out.columns if c.startswith("y.")]
    e_cols = [c for c in out.columns if c.startswith("effort.")]
    return out[["site"] + y_cols + e_cols]


def history_occasions(scores: pd.DataFrame, occasion: str) -> list[str]:
    """The labels of the occasions 1..J of ``detection_history``."""
    return sorted(set(_occasions(scores.dropna(subset=["time"])["time"], occasion)))


def _occasions(times: pd.Series, occasion: str) -> list[str]:
    if occasion == "day":
        return list(pd.to_datetime(times).dt.strftime("%Y-%m-%d"))
    if occasion == "hour":
        return list(pd.to_datetime(times).dt.strftime("%Y-%m-%dT%H"))
    raise ValueError(f"unknown deploy.detect.occasion {occasion!r}; known: day, hour")
