"""Spectrograms and audio of one deployment's search hits and detections, for the explorer."""

import pandas as pd
from reefclr.deploy import windows
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
parts = []
if snakemake.input.hits:
    hits = pd.read_csv(snakemake.input.hits[0], parse_dates=["time"])
    parts.append(hits.assign(kind="search: " + hits["query"], label=hits["query"]))
for sound, path in zip(p.sounds, snakemake.input.events, strict=True):
    events = pd.read_csv(path, parse_dates=["time"])
    parts.append(events.assign(kind=f"detection: {sound}", label=sound))
picks = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["source", "offset_s"])
picks = picks.sort_values("score", ascending=False).groupby("kind", group_keys=False).head(p.max_media)
picks = picks[["kind", "label", "source", "offset_s", "site", "time", "score"]]
audio = {"data_root": p.root, "clip_s": p.clip_s, "channel": p.channel}
write_table(windows.review_media(picks, audio, p.spectrogram, 64), snakemake.output[0])
