"""One grouped probe (rf, logreg or fewshot) on one embedder x test set: long score rows."""

import json

import pandas as pd
from reefclr import probes
from reefclr.atomic import write_table
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
rows, confusion = probes.run_probe(pd.read_parquet(snakemake.input[0]), snakemake.wildcards.probe,
                                   snakemake.params.cfg)
meta = {"confusion": json.dumps(confusion)} if confusion is not None else {}
write_table(rows, snakemake.output[0], metadata=meta)
