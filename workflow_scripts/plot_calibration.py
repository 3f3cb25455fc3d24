"""What a score means for one sound in one deployment and round: the calibration curves with the
reviewed windows on them and the scores reaching 0.9, 0.95 and 0.99 (calibration.png)."""

from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.logs import setup_logging
from reefclr.deploy import calibration, reviews
from reefclr.pages import deployplots

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
review = s.deploy.review
curves = pd.read_csv(snakemake.input.calibration)
reviewed = None
if len(curves):  # a calibration exists only for a sample reviewed from these scores
    marks = reviews.Marks("Review", review.positive, review.negative, review.unsure)
    reviewed = reviews.read_reviewed(Path(snakemake.input.reviewed[0]), marks, pd.read_parquet(snakemake.input.scores))
deployplots.calibration(reviewed, calibration.curve_points(curves), calibration.thresholds(curves),
                        snakemake.wildcards.sound, snakemake.output[0], s.figures.dpi)
