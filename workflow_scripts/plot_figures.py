"""UMAP grid, test-F1 bars, chi-square bars, grouped-split interval bars, few-shot curves."""

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
summary = pd.read_csv(snakemake.input.summary)
plots.interval_bars(summary, "macro_f1", {"rf_grouped": "Random forest, splits grouped by recording",
                                          "logreg_grouped": "Linear probe, splits grouped by recording"},
                    snakemake.output.grouped, p.figures["dpi"])
plots.few_shot_curves(summary, snakemake.output.fewshot, p.figures["dpi"])
