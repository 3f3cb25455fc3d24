"""Embed every clip of one test set with one embedder that reads the cached mel."""

import torch
from reefclr import embedders
from reefclr.atomic import write_table
from reefclr.cache import CachedSet, shard_dir
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params.embedder
weights = snakemake.input.weights[0] if p["name"] == "reefclr" else None
embedder = embedders.load(p["name"], weights=weights, cfg=p)
data = CachedSet.open(sorted({str(shard_dir(f)) for f in snakemake.input.cache}))
table = embedders.embed_dataset(embedder, data, snakemake.params.batch_size)
meta = dict(embedder=embedder.name, dim=embedder.dim, weights_sha256=embedder.weights_sha256, input="mel")
write_table(table, snakemake.output[0], metadata=meta)
