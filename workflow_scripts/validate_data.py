"""Summarise every dataset's data check (results/data_check/summary.md)."""

import json

import pandas as pd
from reefclr import datacheck
from reefclr.atomic import atomic_path, write_json
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
reports = [json.loads(open(f).read()) for f in snakemake.input.checks]
manifests = [pd.read_parquet(f) for f in snakemake.input.manifests]
text, summary = datacheck.summarise(reports, manifests)
with atomic_path(snakemake.output.markdown) as tmp:
    tmp.write_text(text)
write_json(summary, snakemake.output.json)
