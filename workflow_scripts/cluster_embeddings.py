"""UMAP + affinity propagation + chi-square on one embedder x test set."""

import pandas as pd
from reefclr import evaluate
from reefclr.atomic import write_json
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
table = evaluate.study_order(pd.read_parquet(snakemake.input[0]))
scores = evaluate.cluster_scores(evaluate.embedding_matrix(table), table["label"].to_numpy(), snakemake.params.cluster)
write_json(dict(embedder=snakemake.wildcards.embedder, dataset=snakemake.wildcards.dataset) | scores,
           snakemake.output[0])
