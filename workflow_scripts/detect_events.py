"""Detections of one sound in one deployment: events (CSV and Raven tables), site x hour and
site x day summaries, detection histories for occupancy models, the diel figure and time
series, and precision/recall on known events (by overlap, and by IoU matching with intervals
over recordings)."""

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
hop_s = snakemake.params.hop_s
write_table(detect.detection_history(scores, found, cfg.occasion, hop_s), out.occupancy)
summary = dict(sound=w.sound, dataset=w.dataset, threshold=threshold,
               threshold_from=detect.threshold_origin(cfg.threshold, classifier), windows=len(scores),
               events=len(found), classifier_validation=classifier["validation"],
               occupancy=dict(occasion=cfg.occasion, occasions=detect.history_occasions(scores, cfg.occasion)))
scored = pd.DataFrame(columns=detect.EVENT_SCORE_COLUMNS)
if s.deploy.truth:
    truth, covered = detect.truth_events(Path(s.data.root) / s.deploy.truth, s.deploy.truth_label_column,
                                         sorted(scores["source"].unique()))
    sites = scores.groupby("source")["site"].first().to_dict()
    scored = detect.iou_scores(detect.per_recording(found, truth, covered, sites, cfg.min_iou), s.seed)
    overall = scored[scored.level == "all"].iloc[0]
    summary["truth"] = detect.event_scores(found, truth, cfg.min_overlap_s, covered) | {
        "iou": {k: float(overall[k]) for k in detect.EVENT_SCORE_COLUMNS[6:]} | {
            "rule": f"one-to-one matches at IoU >= {cfg.min_iou} (DCASE task 5); 90% intervals over recordings"}}
write_table(scored, out.event_scores)
write_json(summary, out.summary)
