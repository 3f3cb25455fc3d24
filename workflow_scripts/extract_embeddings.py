"""Embed every clip of every test set with one embedder (from the cache, or from the source
audio at the embedder's own rate), loading it once; the weights checksum goes into each file."""

import torch
from reefclr import embedders
from reefclr.core.atomic import write_table
from reefclr.features.cachedset import CachedSet
from reefclr.core.logs import each_test_set, setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params
embedder = embedders.load_for_job(p.embedder, snakemake.input.weights, snakemake.threads)
meta = dict(embedder=embedder.name, dim=embedder.dim, weights_sha256=embedder.weights_sha256, input=embedder.input,
            sample_rate=embedder.sample_rate)
for dataset, target in each_test_set(p.datasets, snakemake.output):
    data = CachedSet.open([p.cache.format(dataset=dataset, shard=k) for k in range(p.shards[dataset])])
    table = embedders.embed_dataset(embedder, data, snakemake.config["embed"]["batch_size"], audio=p.embedder.get("audio"))
    write_table(table, target, metadata=meta)
