"""Pretrain the ReefCLR encoder with SimCLR; write weights, history, loss curve, model card."""

import hashlib

import pandas as pd
from reefclr import plots, train
from reefclr.atomic import write_json, write_table
from reefclr.cache import shard_dir
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
shards = sorted({str(shard_dir(f)) for f in snakemake.input})
result = train.pretrain(shards, p.pretrain, p.spectrogram, p.model_input, p.seed, p.checkpoint, p.run_hash,
                        threads=snakemake.threads)
history = pd.DataFrame(result.history)
manifest_hash = hashlib.sha256(b"".join(open(f"{s}/index.parquet", "rb").read() for s in shards)).hexdigest()
card = dict(config=dict(pretrain=p.pretrain, model_input=p.model_input, spectrogram=p.spectrogram, seed=p.seed),
            run_hash=p.run_hash, data_index_sha256=manifest_hash, shards=shards, steps=len(history),
            resumed_from_step=result.resumed_from, wall_s_this_session=result.wall_s, device=result.device,
            final_loss=float(history["loss"].iloc[-1]), environment=train.environment())
train.save_encoder(snakemake.output.encoder, result.model, card)
write_table(history, snakemake.output.history)
plots.loss_curve(history, snakemake.output.curve)
write_json(card, snakemake.output.card)
