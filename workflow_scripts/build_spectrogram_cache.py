"""Build the waveform + mel cache of one dataset shard."""

import pandas as pd
import torch
from reefclr import settings
from reefclr.core.logs import setup_logging
from reefclr.data import manifest
from reefclr.features import cache

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
s = settings.load(snakemake.config)
clips = pd.read_parquet(snakemake.input.manifest)
manifest.validate(clips, snakemake.input.manifest)
out = cache.ShardFiles(snakemake.output.wave, snakemake.output.mel, snakemake.output.index)
cache.build_shard(clips, int(snakemake.wildcards.shard), s.audio, s.spectrogram, out, s.data.on_bad_audio)
