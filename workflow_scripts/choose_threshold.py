"""The detection threshold of one sound in one deployment and round, and what a score means
there: from the reviewed validation sample when there is one (threshold.json with the
precision it reaches, threshold_curve.csv; calibration.csv)."""

from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import calibration, reviews, sampling, threshold
from reefclr.deploy.classifier import LinearClassifier

setup_logging(snakemake.log[0])
s, out = settings.load(snakemake.config), snakemake.output
cfg, review = s.deploy.detect, s.deploy.review
model = LinearClassifier.load(snakemake.input.classifier)
scores = pd.read_parquet(snakemake.input.scores)
target = threshold.Target(cfg.target_precision, cfg.precision_level, cfg.min_reviewed)
curve, curves, note = None, pd.DataFrame(columns=calibration.CURVE_COLUMNS), "no reviewed validation sample"
if snakemake.input.reviewed:
    edges = sampling.score_bins(scores["score"].to_numpy(), review.bins, review.spacing)
    marks = reviews.Marks("Review", review.positive, review.negative, review.unsure)
    sample = reviews.with_design(reviews.read_reviewed(Path(snakemake.input.reviewed[0]), marks, scores), scores,
                                 edges, model.checksum())
    note = sample.note
    if sample.own:  # drawn by these scores: the curve needs no weights, the precision its own cells
        binned = scores.assign(bin=sampling.bin_of(scores["score"].to_numpy(), edges))
        curve = threshold.precision_curve(binned, sample.windows, target, s.seed)
        curves = calibration.fit(sample.windows, s.seed)
chosen = threshold.choose(cfg.threshold, model.threshold, curve, target)
write_table(curve if curve is not None else pd.DataFrame(columns=threshold.CURVE_COLUMNS), out.curve)
write_table(curves, out.calibration)
write_json(chosen.to_dict() | {"sample": note, "target": vars(target)}, out.threshold)
