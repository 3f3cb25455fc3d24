"""Train the supervised classifier of one test set; write its RF-format record and history."""

import torch
from reefclr.core.atomic import write_json, write_table
from reefclr.features.cache import CachedSet, shard_dir
from reefclr.core.logs import setup_logging
from reefclr.training.supervised import train_supervised

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params.cfg
data = CachedSet.open(sorted({str(shard_dir(f)) for f in snakemake.input.cache}))
weights = snakemake.input.weights[0] if snakemake.input.weights else None
record, history = train_supervised(data, p["supervised"], p["model_input"], p["spectrogram"], p["split"], p["init"],
                                   weights, p["seed"], p["waveform_method"], p["rare_classes"])
write_json(dict(embedder=snakemake.wildcards.embedder, dataset=snakemake.wildcards.dataset) | record,
           snakemake.output.record)
write_table(history, snakemake.output.history)
