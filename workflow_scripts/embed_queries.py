"""Embed the query sounds of a search by example (one unit vector per query)."""

from pathlib import Path

import torch
from reefclr.deploy import windows
from reefclr import embedders
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params
embedder = embedders.load_for_job(p.embedder, snakemake.input.weights, snakemake.threads)
root = Path(p.root)
spans = windows.query_spans(root / p.queries, p.extensions)
audio = {"data_root": str(root), "clip_s": p.clip_s, "channel": p.channel}
table = windows.query_vectors(embedder, spans, root, audio, p.spectrogram, p.hop_s,
                             snakemake.config["deploy"]["batch_size"])
write_table(table, snakemake.output[0], metadata=dict(embedder=embedder.name, weights_sha256=embedder.weights_sha256))
