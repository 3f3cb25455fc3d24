"""The validation sample of one sound in one deployment: windows drawn at random from each site's
score bins (for call density and the threshold), a Raven table with an empty Review column."""

import pandas as pd
from reefclr import settings
from reefclr.core.logs import setup_logging
from reefclr.deploy import reviews, sampling
from reefclr.deploy.classifier import LinearClassifier

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
review = s.deploy.review
model = LinearClassifier.load(snakemake.input.classifier)
scores = pd.read_parquet(snakemake.input.scores)
edges = sampling.score_bins(scores["score"].to_numpy(), review.bins, review.spacing)
done = set(model.trained_windows)  # what the classifier was trained on is not sampled again
sample = sampling.validation_sample(scores, edges, review.per_bin, s.seed, done)
reviews.write_sample(snakemake.output[0], sample, snakemake.wildcards.sound, edges, model.checksum())
