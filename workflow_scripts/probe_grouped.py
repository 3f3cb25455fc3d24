"""One grouped probe (rf, logreg or fewshot) on one embedder, every test set: long score rows."""

import json
from pathlib import Path

import pandas as pd
from reefclr.evaluation import probes, splits
from reefclr.core.atomic import write_table
from reefclr.core.logs import each_test_set, setup_logging

setup_logging(snakemake.log[0])
cfg = snakemake.params.cfg
for _, source, check, target in each_test_set(snakemake.params.datasets, snakemake.input.embeddings,
                                              snakemake.input.checks, snakemake.output):
    grouping = json.loads(Path(check).read_text())["grouping"]
    table, left_out = splits.leave_out_rare(pd.read_parquet(source), cfg["rare_classes"], grouped=True)
    rows, confusion = probes.run_probe(table, snakemake.wildcards.probe, cfg, grouping)
    meta = {"left_out": json.dumps(left_out)} | ({"confusion": json.dumps(confusion)} if confusion is not None else {})
    write_table(rows, target, metadata=meta)
