"""The review samples of one sound in one deployment: a validation sample stratified by site
and score bin (for call density) and an active-learning sample (for the next classifier),
each one Raven table with an empty Review column."""

import json
from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.logs import setup_logging
from reefclr.data import raven
from reefclr.deploy import density, detect

setup_logging(snakemake.log[0])
s, w = settings.load(snakemake.config), snakemake.wildcards
review, cfg = s.deploy.review, s.deploy.classifiers[w.sound]
classifier = json.loads(Path(snakemake.input.classifier).read_text())
scores = pd.read_parquet(snakemake.input.scores)
done = set()
for table in snakemake.input.reviewed:  # what the classifier was trained on is not sampled again
    done |= set(detect.reviewed_examples(Path(table), cfg.column, list(cfg.positive), list(cfg.negative or ()),
                                         scores)["clip_id"])
edges = density.score_bins(scores["score"].to_numpy(), review.bins)
validation = density.validation_sample(scores, edges, review.per_bin, s.seed, done)
threshold = s.deploy.detect.threshold if s.deploy.detect.threshold is not None else \
    classifier["threshold_target_precision"]
active = density.active_sample(scores, threshold, review.active, done | set(validation["clip_id"]))
for rows, target in ((validation, snakemake.output.validation), (active, snakemake.output.active)):
    rows = rows.assign(Source=rows["source"], Score=rows["score"].round(6),
                       Bin=density.bin_of(rows["score"].to_numpy(), edges) + 1, Site=rows["site"])
    raven.write_selections(Path(target), rows, rows["source"].map(lambda p: Path(p).name).to_numpy(), w.sound,
                           ["Source", "Site", "Score", "Bin"])
