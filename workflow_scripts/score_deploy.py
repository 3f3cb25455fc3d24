"""Score every window of one deployment with one sound's classifier."""

import pandas as pd
from reefclr.core.atomic import read_parquet_metadata, write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy.classifier import LinearClassifier

setup_logging(snakemake.log[0])
model = LinearClassifier.load(snakemake.input.classifier)
parts = []
for path in snakemake.input.shards:
    meta = read_parquet_metadata(path)
    model.check_compatible(meta["embedder"], meta["weights_sha256"], path)
    table = pd.read_parquet(path)
    parts.append(table[["clip_id", "source", "offset_s", "end_s", "site", "time"]].assign(score=model.score(table)))
write_table(pd.concat(parts, ignore_index=True), snakemake.output[0], metadata={"classifier": model.checksum()})
