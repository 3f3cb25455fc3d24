"""Embed every window of one deployment shard straight from its recordings."""

import pandas as pd
import torch
from reefclr.deploy import windows
from reefclr import embedders
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params
embedder = embedders.load_for_job(p.embedder, snakemake.input.weights, snakemake.threads)
manifest = pd.read_parquet(snakemake.input.manifest)
shard = manifest[manifest["shard"] == int(snakemake.wildcards.shard)]
audio = {"data_root": p.root, "clip_s": p.clip_s, "channel": p.channel}
table = windows.embed_windows(embedder, shard, audio, p.spectrogram, snakemake.config["deploy"]["batch_size"])
write_table(table, snakemake.output[0], metadata=dict(embedder=embedder.name, dim=embedder.dim,
                                                     weights_sha256=embedder.weights_sha256))
