"""2-D UMAP coordinates of one embedder, every test set, for the scatter grid."""

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.core.progress import each_dataset
from reefclr.core.vectors import matrix
from reefclr.evaluation import study

setup_logging(snakemake.log[0])
cfg = settings.load(snakemake.config).evaluation.umap2d
for _, source, target in each_dataset(snakemake.params.datasets, snakemake.input, snakemake.output):
    table = pd.read_parquet(source)
    xy = study.umap_embed(matrix(table), cfg)
    write_table(table[["clip_id", "label", "group"]].assign(x=xy[:, 0], y=xy[:, 1]), target)
