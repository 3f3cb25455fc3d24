"""Detections of one sound scored against its known events: by overlap, and by one-to-one
matches at IoU above deploy.detect.min_iou as DCASE task 5 scores them, with intervals over
recordings; windows the classifier was trained on are left out."""

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import truth
from reefclr.deploy.classifier import LinearClassifier

setup_logging(snakemake.log[0])
s, out, sound = settings.load(snakemake.config), snakemake.output, snakemake.wildcards.sound
cfg = s.deploy.detect
scores = pd.read_parquet(snakemake.input.scores)
found = pd.read_csv(snakemake.input.events)
trained = scores[scores["clip_id"].isin(LinearClassifier.load(snakemake.input.classifier).trained_windows)]
known = truth.load(truth.TruthSpec.of(s.deploy, s.data.root, sound), sorted(scores["source"].unique()))
known, found = truth.leave_out(known, found, trained)
sites = scores.groupby("source")["site"].first().to_dict()
table = truth.scores(truth.per_recording(found, known, sites, cfg.min_iou), s.seed)
overall = table[table["level"] == "all"].iloc[0]
write_table(table, out.table)
write_json(dict(sound=sound, left_out_windows=len(trained), overlap=truth.overlap_scores(found, known, cfg.min_overlap_s),
                iou={k: float(overall[k]) for k in truth.SCORE_COLUMNS[7:]} | {
                    "rule": f"one-to-one matches at IoU > {cfg.min_iou} (DCASE task 5), detections matching an unknown "
                            "event dropped; 90% intervals over recordings"}), out.summary)
