"""Train the linear classifier of one sound for one review round on the deployment embedder's
vectors: a labelled test set or reviewed deployment windows (the config's examples), plus every
window reviewed in earlier rounds; write it in its portable form."""

from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import read_parquet_metadata
from reefclr.core.logs import setup_logging
from reefclr.deploy import classifier, reviews

setup_logging(snakemake.log[0])
s, sound = settings.load(snakemake.config), snakemake.wildcards.sound
cfg, files = s.deploy.classifiers[sound], list(snakemake.input.examples)
shas = {read_parquet_metadata(f)["weights_sha256"] for f in files}
if len(shas) != 1:
    raise ValueError(f"classifier {sound}: its examples come from embeddings of several weights")
windows = {d: pd.concat([pd.read_parquet(f) for f in files if f"/deploy/{d}/" in f], ignore_index=True)
           for d in s.data.ids("deploy") if any(f"/deploy/{d}/" in f for f in files)}
parts, source = [], []
if cfg.dataset is not None:
    parts.append(classifier.dataset_examples(pd.read_parquet(files[0]), list(cfg.positive), files[0]))
    source.append(f"test set {cfg.dataset}")
else:
    every = pd.concat(list(windows.values()), ignore_index=True)
    marks = reviews.training_marks(cfg, s.deploy.review.unsure)
    parts.append(reviews.read_reviewed(Path(s.data.root) / cfg.reviewed, marks, every).assign(deployment=True))
    source.append(f"reviewed windows {cfg.reviewed}")
review = s.deploy.review
for dataset, table in snakemake.params.rounds:  # every window reviewed in earlier rounds
    marks = reviews.Marks("Review", review.positive, review.negative, review.unsure)
    parts.append(reviews.read_reviewed(Path(table), marks, windows[dataset]).assign(deployment=True))
if snakemake.params.rounds:
    source.append(f"{len(snakemake.params.rounds)} reviewed samples of earlier rounds")
examples = classifier.unique_windows(pd.concat(parts, ignore_index=True))
recipe = classifier.Recipe(sound, cfg.C, s.deploy.embedder, shas.pop(), s.deploy.detect.target_precision, s.seed)
classifier.train(examples, recipe, " + ".join(source)).save(snakemake.output[0])
