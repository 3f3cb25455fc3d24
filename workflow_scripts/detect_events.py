"""Detections of one sound in one deployment: events (CSV and Raven tables), site x hour and
site x day summaries, the diel figure and time series, and precision/recall on known events."""

import json
from pathlib import Path

import pandas as pd
from reefclr.deploy import detect
from reefclr.pages import plots
from reefclr.data import raven
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
sound = snakemake.wildcards.sound
classifier = json.loads(Path(snakemake.input.classifier).read_text())
scores = pd.read_parquet(snakemake.input.scores)
threshold = p.detect["threshold"] if p.detect["threshold"] is not None else classifier["threshold_target_precision"]
found = detect.events(scores, threshold, p.detect["merge_gap_s"])
write_table(found, snakemake.output.events)
raven.write_tables(found, snakemake.output.raven, sound, ["score", "windows"])
hourly, daily = detect.summaries(scores, found, p.hop_s)
write_table(hourly, snakemake.output.hourly)
write_table(daily, snakemake.output.daily)
plots.diel(hourly, sound, snakemake.output.diel, p.dpi)
plots.detection_series(hourly, sound, snakemake.output.series, p.dpi)
summary = dict(sound=sound, dataset=snakemake.wildcards.dataset, threshold=threshold,
               threshold_from="deploy.detect.threshold" if p.detect["threshold"] is not None else
               f"validation precision {classifier['target_precision']}", windows=len(scores), events=len(found),
               classifier_validation=classifier["validation"])
if p.truth:
    truth, covered = detect.truth_events(Path(p.root) / p.truth, p.truth_label_column,
                                         sorted(scores["source"].unique()))
    summary["truth"] = detect.event_scores(found, truth, p.detect["min_overlap_s"], covered)
write_json(summary, snakemake.output.summary)
