"""Score every window of one deployment with one sound's classifier."""

import json
from pathlib import Path

import pandas as pd
from reefclr.deploy import detect
from reefclr.core.atomic import read_parquet_metadata, write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
classifier = json.loads(Path(snakemake.input.classifier).read_text())
parts = []
for path in snakemake.input.shards:
    meta = read_parquet_metadata(path)
    detect.check_compatible(classifier, meta["embedder"], meta["weights_sha256"], path)
    table = pd.read_parquet(path)
    parts.append(table[["clip_id", "source", "offset_s", "end_s", "site", "time"]].assign(
        score=detect.score(classifier, table)))
write_table(pd.concat(parts, ignore_index=True), snakemake.output[0])
