"""Search by example over one deployment: the top-k windows per query, as a CSV and as
Raven selection tables per recording."""

import pandas as pd
from reefclr.data import raven
from reefclr.deploy import search
from reefclr.core.atomic import read_parquet_metadata, write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
queries = pd.read_parquet(snakemake.input.queries)
shards = list(snakemake.input.shards)
weights = read_parquet_metadata(snakemake.input.queries).get("weights_sha256")
for path in shards:
    if read_parquet_metadata(path).get("weights_sha256") != weights:
        raise ValueError(f"{path}: embedded with other weights than the queries ({snakemake.input.queries})")
hits = search.hits_table(queries, shards, snakemake.params.top_k, snakemake.params.centre)
write_table(hits, snakemake.output.hits)
raven.write_tables(hits, snakemake.output.raven, "search", ["query", "rank", "score"])
