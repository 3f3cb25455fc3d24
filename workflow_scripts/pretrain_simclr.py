"""Pretrain the ReefCLR encoder with SimCLR; write weights, history, the checks against the untrained
twin, the training figure and the model card; a collapsed run stops here, unexported."""

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
from reefclr.training import diagnostics, train

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
shards = sorted({str(shard_dir(f)) for f in snakemake.input.cache})
knn_shards = sorted({str(shard_dir(f)) for f in snakemake.input.knn})
job = train.PretrainJob(tuple(shards), ViewSettings(s.pretrain, s.spectrogram, s.model_input, s.seed), CHECKPOINT,
                        params.run_hash(s), snakemake.threads, tuple(knn_shards),
                        snakemake.input.weights[0] if snakemake.input.weights else None)
result = train.launch(job, Path(CHECKPOINT).with_name("job.json"))
history, checks = pd.DataFrame(result.history), diagnostics.table(result.checks)
if result.checks and (why := diagnostics.collapsed(result.checks[-1], s.pretrain.min_rank)):
    raise SystemExit(f"{why}; not exported. The checkpoint {CHECKPOINT} and its checks stay for inspection: "
                     "try a lower learning rate, a larger batch or a higher temperature")
index_hash = hashlib.sha256(b"".join(open(f"{d}/index.parquet", "rb").read() for d in shards)).hexdigest()
card = dict(config=dict(pretrain=s.pretrain.to_dict(), model_input=s.model_input.to_dict(),
                        spectrogram=s.spectrogram.result(), seed=s.seed),
            run_hash=job.run_hash, data_index_sha256=index_hash, shards=shards, steps=len(history),
            wall_s=sum(x["wall_s"] for x in result.sessions), sessions=result.sessions,
            final_loss=float(history["loss"].iloc[-1]), checks=result.checks,
            against_twin=diagnostics.against_twin(result.checks), environment=train.environment())
train.save_encoder(snakemake.output.encoder, result.model, card)
write_table(history, snakemake.output.history)
write_table(checks, snakemake.output.checks)
plots.loss_curve(history, checks, snakemake.output.curve)
write_json(card, snakemake.output.card)
