"""Embed every clip of one test set with one embedder (from the cache, or from the source
audio at the embedder's own rate); the embedder's weights checksum goes into the metadata."""

import torch
from reefclr import embedders
from reefclr.atomic import write_table
from reefclr.cache import CachedSet, shard_dir
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
cfg = dict(snakemake.params.embedder)
if cfg["name"] == "reefclr":
    cfg["weights"] = snakemake.input.weights[0]  # the encoder this workflow trained
embedder = embedders.load(cfg["name"], cfg, threads=snakemake.threads)
data = CachedSet.open(sorted({str(shard_dir(f)) for f in snakemake.input.cache}))
table = embedders.embed_dataset(embedder, data, snakemake.config["embed"]["batch_size"], audio=cfg.get("audio"))
meta = dict(embedder=embedder.name, dim=embedder.dim, weights_sha256=embedder.weights_sha256, input=embedder.input,
            sample_rate=embedder.sample_rate)
write_table(table, snakemake.output[0], metadata=meta)
