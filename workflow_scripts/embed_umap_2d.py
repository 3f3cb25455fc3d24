"""2-D UMAP coordinates of one embedder, every test set, for the scatter grid."""

import pandas as pd
from reefclr.evaluation import study
from reefclr.core.atomic import write_table
from reefclr.core.logs import each_test_set, setup_logging
from reefclr.core.vectors import matrix

setup_logging(snakemake.log[0])
for _, source, target in each_test_set(snakemake.params.datasets, snakemake.input, snakemake.output):
    table = pd.read_parquet(source)
    xy = study.umap_embed(matrix(table), snakemake.params.umap)
    write_table(table[["clip_id", "label", "group"]].assign(x=xy[:, 0], y=xy[:, 1]), target)
