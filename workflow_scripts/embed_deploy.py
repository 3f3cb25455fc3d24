"""Embed every window of one deployment shard straight from its recordings."""

import pandas as pd
import torch
from reefclr import embedders, settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import windows

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
s = settings.load(snakemake.config)
embedder = embedders.load_for_job(s.deploy.embedder, s, snakemake.input.weights, snakemake.threads)
manifest = pd.read_parquet(snakemake.input.manifest)
shard = manifest[manifest["shard"] == int(snakemake.wildcards.shard)]
table = windows.embed_windows(embedder, shard, s.audio, s.spectrogram, s.deploy.batch_size)
write_table(table, snakemake.output[0], metadata=dict(embedder=embedder.name, dim=embedder.dim,
                                                     weights_sha256=embedder.weights_sha256))
