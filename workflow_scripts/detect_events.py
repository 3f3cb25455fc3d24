"""Detections of one sound in one deployment and round at its chosen threshold: events (CSV and
Raven tables, each with its score and, where a reviewed sample gives one, the calibrated
probability of the sound), site x hour and site x day summaries, detection histories for
occupancy models, the diel figure and time series; the calibration's thresholds in summary.json."""

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.data import raven
from reefclr.deploy import calibration, events, occupancy
from reefclr.deploy.classifier import LinearClassifier
from reefclr.pages import deployplots

setup_logging(snakemake.log[0])
s, out, w = settings.load(snakemake.config), snakemake.output, snakemake.wildcards
cfg, hop_s = s.deploy.detect, snakemake.params.hop_s
chosen = json.loads(Path(snakemake.input.threshold).read_text())
scores = pd.read_parquet(snakemake.input.scores)
curves = pd.read_csv(snakemake.input.calibration)
found = events.events(scores, chosen["value"], cfg.merge_gap_s)
found["probability"] = calibration.per_window(found, curves).round(4) if len(curves) and len(found) else float("nan")
write_table(found, out.events)
raven.write_tables(found, out.raven, w.sound, ["score", "probability", "windows"])
hourly, daily = events.summaries(scores, found, hop_s)
write_table(hourly, out.site_hour)
write_table(daily, out.daily)
deployplots.diel(hourly, w.sound, out.diel, s.figures.dpi)
deployplots.detection_series(hourly, w.sound, out.series, s.figures.dpi)
write_table(occupancy.detection_history(scores, found, cfg.occasion, hop_s), out.occupancy)
write_json(dict(sound=w.sound, dataset=w.dataset, round=int(w.round), threshold=chosen, windows=len(scores),
                events=len(found), calibration=curves.to_dict("records"),
                classifier_validation=asdict(LinearClassifier.load(snakemake.input.classifier).validation),
                occupancy=dict(occasion=cfg.occasion, occasions=occupancy.history_occasions(scores, cfg.occasion))),
           out.summary)
