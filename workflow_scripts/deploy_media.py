"""Spectrograms and audio of one deployment's search hits and detections, for the explorer."""

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import windows

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
parts = []
if snakemake.input.hits:
    hits = pd.read_csv(snakemake.input.hits[0], parse_dates=["time"])
    parts.append(hits.assign(kind="search: " + hits["query"], label=hits["query"]))
for sound, path in zip(s.deploy.classifiers, snakemake.input.events, strict=True):
    events = pd.read_csv(path, parse_dates=["time"])
    parts.append(events.assign(kind=f"detection: {sound}", label=sound))
picks = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["source", "offset_s"])
picks = picks.sort_values("score", ascending=False).groupby("kind", group_keys=False).head(s.explorer.max_media)
picks = picks[["kind", "label", "source", "offset_s", "site", "time", "score"]]
write_table(windows.review_media(picks, s.audio, s.spectrogram, 64), snakemake.output[0])
