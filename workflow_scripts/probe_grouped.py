"""One grouped probe (rf, logreg or fewshot) on one embedder x test set: long score rows."""

import json
from pathlib import Path

import pandas as pd
from reefclr import probes, splits
from reefclr.atomic import write_table
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
grouping = json.loads(Path(snakemake.input.check).read_text())["grouping"]
table, left_out = splits.leave_out_rare(pd.read_parquet(snakemake.input.embeddings),
                                          snakemake.params.cfg["rare_classes"], grouped=True)
rows, confusion = probes.run_probe(table, snakemake.wildcards.probe, snakemake.params.cfg, grouping)
meta = {"left_out": json.dumps(left_out)} | ({"confusion": json.dumps(confusion)} if confusion is not None else {})
write_table(rows, snakemake.output[0], metadata=meta)
