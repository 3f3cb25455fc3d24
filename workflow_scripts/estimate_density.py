"""Call density of one sound in one deployment and round from its reviewed validation sample: per site,
site x hour of day and site x day with intervals and reliability (density.csv, density.png),
and, with known events, each stratum's true share beside it (density.json)."""

import logging
from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import density, reliability, reviews, sampling, truth
from reefclr.deploy.classifier import LinearClassifier
from reefclr.pages import deployplots

setup_logging(snakemake.log[0])
s, w, out = settings.load(snakemake.config), snakemake.wildcards, snakemake.output
review = s.deploy.review
model = LinearClassifier.load(snakemake.input.classifier)
scores = pd.read_parquet(snakemake.input.scores)
edges = sampling.score_bins(scores["score"].to_numpy(), review.bins, review.spacing)
marks = reviews.Marks("Review", review.positive, review.negative, review.unsure)
sample = reviews.with_design(reviews.read_reviewed(Path(snakemake.input.reviewed[0]), marks, scores), scores, edges,
                             model.checksum())
known_windows = pd.concat([  # reviewed before this round's sample was drawn: known with certainty
    reviews.census(snakemake.input.census, reviews.training_marks(s.deploy.classifiers[w.sound], review.unsure),
                   scores, sample.windows),
    *[reviews.census([t], marks, scores, sample.windows) for t in snakemake.input.earlier]],
    ignore_index=True).drop_duplicates("clip_id", keep="last")
design = density.Design(edges, review.level, snakemake.params.estimate["hop_s"], s.seed)
table = density.density_table(scores, pd.concat([sample.windows, known_windows], ignore_index=True), design,
                              reliability.Judge(review.bins, review.per_bin))
warnings = density.shift_check(scores, sample.windows, design)
for warning in warnings:
    logging.warning(warning)
spec = truth.TruthSpec.of(s.deploy, s.data.root, w.sound)
if spec is not None:
    known = truth.load(spec, sorted(scores["source"].unique()))
    table["true_density"] = density.stratum_means(scores, truth.windows_with_sound(scores, known.sound))
write_table(table, out.density)
write_json(density.summary(table, sample, design) | {"sound": w.sound, "dataset": w.dataset, "warnings": warnings},
           out.summary)
deployplots.density_diel(table, w.sound, review.level, out.figure, s.figures.dpi)
