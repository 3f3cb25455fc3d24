"""One grouped probe (rf, logreg or fewshot) on one embedder, every test set: long score rows."""

import json
from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.core.progress import each_dataset
from reefclr.evaluation import probes, splits

setup_logging(snakemake.log[0])
ev = settings.load(snakemake.config).evaluation
w = snakemake.wildcards
for _, source, check, target in each_dataset(snakemake.params.datasets, snakemake.input.embeddings,
                                             snakemake.input.checks, snakemake.output):
    grouping = json.loads(Path(check).read_text())["grouping"]
    table, left_out = splits.leave_out_rare(pd.read_parquet(source), ev.rare_classes, grouped=True)
    rows, confusion = probes.run_probe(table, w.probe, ev, w.embedder, grouping)
    meta = {"left_out": json.dumps(left_out)} | ({"confusion": json.dumps(confusion)} if confusion is not None else {})
    write_table(rows, target, metadata=meta)
