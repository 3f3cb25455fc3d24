"""Pretrain the ReefCLR encoder with SimCLR; write weights, history, loss curve, model card."""

import hashlib
from pathlib import Path

import pandas as pd
from reefclr import params, settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.features.cachedset import shard_dir
from reefclr.features.views import ViewSettings
from reefclr.pages import plots
from reefclr.paths import CHECKPOINT
from reefclr.training import train

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
shards = sorted({str(shard_dir(f)) for f in snakemake.input.cache})
knn_shards = sorted({str(shard_dir(f)) for f in snakemake.input.knn})
job = train.PretrainJob(tuple(shards), ViewSettings(s.pretrain, s.spectrogram, s.model_input, s.seed), CHECKPOINT,
                        params.run_hash(s), snakemake.threads, tuple(knn_shards))
result = train.launch(job, Path(CHECKPOINT).with_name("job.json"))
history = pd.DataFrame(result.history)
index_hash = hashlib.sha256(b"".join(open(f"{d}/index.parquet", "rb").read() for d in shards)).hexdigest()
card = dict(config=dict(pretrain=s.pretrain.to_dict(), model_input=s.model_input.to_dict(),
                        spectrogram=s.spectrogram.result(), seed=s.seed),
            run_hash=job.run_hash, data_index_sha256=index_hash, shards=shards, steps=len(history),
            wall_s=sum(x["wall_s"] for x in result.sessions), sessions=result.sessions,
            final_loss=float(history["loss"].iloc[-1]),
            final_knn_accuracy=float(knn.iloc[-1]) if len(knn := history["knn_accuracy"].dropna()) else None,
            environment=train.environment())
train.save_encoder(snakemake.output.encoder, result.model, card)
write_table(history, snakemake.output.history)
plots.loss_curve(history, snakemake.output.curve)
write_json(card, snakemake.output.card)
