"""Train the supervised classifier of one test set; write its RF-format record and history."""

import torch
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.features.cachedset import CachedSet, shard_dir
from reefclr.training.supervised import SupervisedJob, train_supervised

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
w = snakemake.wildcards
job = SupervisedJob.of(settings.load(snakemake.config), w.embedder)
data = CachedSet.open(sorted({str(shard_dir(f)) for f in snakemake.input.cache}))
weights = snakemake.input.weights[0] if snakemake.input.weights else None
record, history = train_supervised(data, job, weights)
write_json(dict(embedder=w.embedder, dataset=w.dataset) | record, snakemake.output.record)
write_table(history, snakemake.output.history)
