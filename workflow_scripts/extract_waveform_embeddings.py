"""Embed every clip of one test set with one embedder that reads the source audio at its own rate."""

import torch
from reefclr import embedders
from reefclr.atomic import write_table
from reefclr.cache import CachedSet, shard_dir
from reefclr.embedders import waveform
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params.embedder
embedder = waveform.load(p["name"], p, threads=snakemake.threads)
data = CachedSet.open(sorted({str(shard_dir(f)) for f in snakemake.input.cache}))
table = embedders.embed_dataset(embedder, data, snakemake.params.batch_size, audio=p["audio"])
meta = dict(embedder=embedder.name, dim=embedder.dim, weights_sha256=embedder.weights_sha256, input="waveform",
            sample_rate=embedder.sample_rate)
write_table(table, snakemake.output[0], metadata=meta)
