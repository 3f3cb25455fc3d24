"""The active-learning sample of one sound in one deployment: windows nearest the threshold in
use and the top-scoring ones, none already reviewed (for the next classifier)."""

import json
from pathlib import Path

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
sampled = reviews.sampled_windows(snakemake.input.validation, scores)
cut = json.loads(Path(snakemake.input.threshold).read_text())["value"]
active = sampling.active_sample(scores, cut, review.active, set(model.trained_windows) | set(sampled))
edges = sampling.score_bins(scores["score"].to_numpy(), review.bins, review.spacing)
reviews.write_sample(snakemake.output[0], active, snakemake.wildcards.sound, edges, model.checksum())
