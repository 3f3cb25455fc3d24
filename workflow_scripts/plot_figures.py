"""UMAP grid, test-F1 bars and chi-square bars."""

import pandas as pd
from reefclr import plots
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
pairs = [(e, d) for e in p.embedders for d in p.datasets]
coords = {pair: pd.read_parquet(path) for pair, path in zip(pairs, snakemake.input.coords)}
plots.umap_grid(coords, p.embedders, p.datasets, snakemake.output.umap, p.figures["dpi"], p.figures["point_size"])
rf = pd.read_csv(snakemake.input.rf)
plots.grouped_bars(rf, "Test F1", "Embedding", snakemake.output.f1, "test F1 (weighted)",
                   "Random-forest test F1 by location and embedding", p.figures["dpi"])
chisq = pd.read_csv(snakemake.input.chisq)
plots.grouped_bars(chisq, "Chi2_Stat", "Category", snakemake.output.chisq, "chi-square statistic",
                   "Cluster-class association (chi-square) by location and embedding", p.figures["dpi"], log=True)
