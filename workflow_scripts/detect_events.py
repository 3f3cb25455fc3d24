"""Detections of one sound in one deployment: events (CSV and Raven tables), site x hour and
site x day summaries, the diel figure and time series, and precision/recall on known events."""

import json
from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.data import raven
from reefclr.deploy import detect
from reefclr.pages import plots

setup_logging(snakemake.log[0])
s, out, w = settings.load(snakemake.config), snakemake.output, snakemake.wildcards
cfg = s.deploy.detect
classifier = json.loads(Path(snakemake.input.classifier).read_text())
scores = pd.read_parquet(snakemake.input.scores)
threshold = cfg.threshold if cfg.threshold is not None else classifier["threshold_target_precision"]
found = detect.events(scores, threshold, cfg.merge_gap_s)
write_table(found, out.events)
raven.write_tables(found, out.raven, w.sound, ["score", "windows"])
hourly, daily = detect.summaries(scores, found, snakemake.params.hop_s)
write_table(hourly, out.site_hour)
write_table(daily, out.daily)
plots.diel(hourly, w.sound, out.diel, s.figures.dpi)
plots.detection_series(hourly, w.sound, out.series, s.figures.dpi)
summary = dict(sound=w.sound, dataset=w.dataset, threshold=threshold,
               threshold_from="deploy.detect.threshold" if cfg.threshold is not None else
               f"validation precision {classifier['target_precision']}", windows=len(scores), events=len(found),
               classifier_validation=classifier["validation"])
if s.deploy.truth:
    truth, covered = detect.truth_events(Path(s.data.root) / s.deploy.truth, s.deploy.truth_label_column,
                                         sorted(scores["source"].unique()))
    summary["truth"] = detect.event_scores(found, truth, cfg.min_overlap_s, covered)
write_json(summary, out.summary)
