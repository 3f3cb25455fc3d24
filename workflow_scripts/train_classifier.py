"""Train the linear classifier of one sound on the deployment embedder's vectors (a labelled
test set, or reviewed hits in a Raven table); write it in its portable form."""

from pathlib import Path

import pandas as pd
from reefclr.deploy import detect
from reefclr.core.atomic import read_parquet_metadata, write_json
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
cfg = p.classifier
paths = list(snakemake.input.examples)
shas = {read_parquet_metadata(f)["weights_sha256"] for f in paths}
if len(shas) != 1:
    raise ValueError(f"classifier {snakemake.wildcards.sound}: its examples come from embeddings of several weights")
if "dataset" in cfg:
    examples = detect.dataset_examples(pd.read_parquet(paths[0]), cfg["positive"], paths[0])
    source = f"test set {cfg['dataset']}"
else:
    windows = pd.concat([pd.read_parquet(f) for f in paths], ignore_index=True)
    table = Path(p.root) / cfg["reviewed"]
    examples = detect.reviewed_examples(table, cfg["column"], cfg["positive"], cfg["negative"], windows)
    source = f"reviewed hits {cfg['reviewed']}"
classifier = detect.train(examples, snakemake.wildcards.sound, cfg, p.embedder, shas.pop(), p.target_precision,
                          p.seed, source)
write_json(classifier, snakemake.output[0])
