"""Embed the query sounds of a search by example (one unit vector per query)."""

from pathlib import Path

import torch
from reefclr import embedders, settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import windows

EXTENSIONS = ["wav", "flac", "mp3", "ogg", "aif", "aiff"]

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
s = settings.load(snakemake.config)
embedder = embedders.load_for_job(s.deploy.embedder, s, snakemake.input.weights, snakemake.threads)
spans = windows.query_spans(Path(s.data.root) / s.deploy.queries, EXTENSIONS)
table = windows.query_vectors(embedder, spans, s.audio, s.spectrogram, s.segment.hop_s, s.deploy.batch_size)
write_table(table, snakemake.output[0], metadata=dict(embedder=embedder.name, weights_sha256=embedder.weights_sha256))
