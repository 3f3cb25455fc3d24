"""Train the linear classifier of one sound on the deployment embedder's vectors (a labelled
test set, or reviewed hits in a Raven table); write it in its portable form."""

from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import read_parquet_metadata, write_json
from reefclr.core.logs import setup_logging
from reefclr.deploy import detect

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
sound = snakemake.wildcards.sound
cfg = s.deploy.classifiers[sound]
files = list(snakemake.input.examples)
shas = {read_parquet_metadata(f)["weights_sha256"] for f in files}
if len(shas) != 1:
    raise ValueError(f"classifier {sound}: its examples come from embeddings of several weights")
if cfg.dataset is not None:
    examples = detect.dataset_examples(pd.read_parquet(files[0]), list(cfg.positive), files[0])
    source = f"test set {cfg.dataset}"
else:
    windows = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    table = Path(s.data.root) / cfg.reviewed
    examples = detect.reviewed_examples(table, cfg.column, list(cfg.positive), list(cfg.negative), windows)
    source = f"reviewed hits {cfg.reviewed}"
write_json(detect.train(examples, sound, s.deploy, shas.pop(), s.seed, source), snakemake.output[0])
