"""Pretrain the ReefCLR encoder with SimCLR; write weights, history, loss curve, model card."""

import hashlib
from pathlib import Path

import pandas as pd
from reefclr.pages import plots
from reefclr.training import train
from reefclr.core.atomic import write_json, write_table
from reefclr.features.cache import shard_dir
from reefclr.config import with_runtime
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
pretrain = with_runtime(p.pretrain, snakemake.config, "pretrain")  # + speed and logging settings
shards = sorted({str(shard_dir(f)) for f in snakemake.input.cache})
knn_shards = sorted({str(shard_dir(f)) for f in snakemake.input.knn})
job = dict(shard_dirs=shards, cfg=pretrain, spec_cfg=p.spectrogram, input_cfg=p.model_input, seed=p.seed,
           checkpoint_path=p.checkpoint, run_hash=p.run_hash, threads=snakemake.threads, knn_shard_dirs=knn_shards)
result = train.launch(job, Path(p.checkpoint).with_name("job.json"))
history = pd.DataFrame(result.history)
index_hash = hashlib.sha256(b"".join(open(f"{s}/index.parquet", "rb").read() for s in shards)).hexdigest()
card = dict(config=dict(pretrain=pretrain, model_input=p.model_input, spectrogram=p.spectrogram, seed=p.seed),
            run_hash=p.run_hash, data_index_sha256=index_hash, shards=shards, steps=len(history),
            wall_s=sum(s["wall_s"] for s in result.sessions), sessions=result.sessions,
            final_loss=float(history["loss"].iloc[-1]),
            final_knn_accuracy=float(knn.iloc[-1]) if len(knn := history["knn_accuracy"].dropna()) else None,
            environment=train.environment())
train.save_encoder(snakemake.output.encoder, result.model, card)
write_table(history, snakemake.output.history)
plots.loss_curve(history, snakemake.output.curve)
write_json(card, snakemake.output.card)
