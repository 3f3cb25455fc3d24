"""2-D UMAP coordinates of one embedder x test set, for the scatter grid."""

import pandas as pd
from reefclr import evaluate
from reefclr.atomic import write_table
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
table = pd.read_parquet(snakemake.input[0])
xy = evaluate.umap_embed(evaluate.embedding_matrix(table), snakemake.params.umap)
coords = table[["clip_id", "label", "group"]].assign(x=xy[:, 0], y=xy[:, 1])
write_table(coords, snakemake.output[0])
