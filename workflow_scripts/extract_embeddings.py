"""Embed every clip of every test set with one embedder (from the cache, or from the source
audio at the embedder's own rate), loading it once; the weights checksum goes into each file."""

import torch
from reefclr import embedders, paths, settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.core.progress import each_dataset
from reefclr.embedders.base import embed_dataset
from reefclr.features.cachedset import CachedSet

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
s = settings.load(snakemake.config)
embedder = embedders.load_for_job(snakemake.wildcards.embedder, s, snakemake.input.weights, snakemake.threads)
meta = dict(embedder=embedder.name, dim=embedder.dim, weights_sha256=embedder.weights_sha256, input=embedder.input,
            sample_rate=embedder.sample_rate)
for dataset, target in each_dataset(snakemake.params.datasets, snakemake.output):
    data = CachedSet.open(paths.shard_dirs(dataset, s.data.dataset(dataset).shards))
    write_table(embed_dataset(embedder, data, s.embed.batch_size, s.audio), target, metadata=meta)
