"""Build the waveform + mel cache of one dataset shard."""

import pandas as pd
import torch
from reefclr.features import cache
from reefclr.data import manifest
from reefclr.config import with_runtime
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
clips = pd.read_parquet(snakemake.input.manifest)
manifest.validate(clips, snakemake.input.manifest)
cache.build_shard(
    clips,
    int(snakemake.wildcards.shard),
    snakemake.params.root,
    with_runtime(snakemake.params.spectrogram, snakemake.config, "spectrogram"),
    snakemake.params.segment["clip_s"],
    snakemake.params.segment["channel"],
    snakemake.output.wave,
    snakemake.output.mel,
    snakemake.output.index,
    snakemake.params.on_bad_audio,
)
