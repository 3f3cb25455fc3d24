"""UMAP grid, test-F1, chi-square and Cramer's V bars, grouped-split intervals, few-shot curves, confusion matrices."""

import json

import pandas as pd
from reefclr.evaluation import aggregate
from reefclr.pages import plots
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
pairs = [(e, d) for e in p.embedders for d in p.datasets]
coords = {pair: pd.read_parquet(path) for pair, path in zip(pairs, snakemake.input.coords)}
plots.umap_grid(coords, p.embedders, p.datasets, snakemake.output.umap, p.figures["dpi"], p.figures["point_size"])
rf = pd.read_csv(snakemake.input.rf)
plots.grouped_bars(rf, "Test F1", "Embedding", p.embedders, snakemake.output.f1, "test F1 (weighted)",
                   "Random-forest test F1 by location and embedding", p.figures["dpi"])
chisq = pd.read_csv(snakemake.input.chisq)
plots.grouped_bars(chisq, "Chi2_Stat", "Category", p.embedders, snakemake.output.chisq, "chi-square statistic",
                   "Cluster-class association (chi-square) by location and embedding", p.figures["dpi"], log=True)
summary = pd.read_csv(snakemake.input.summary)
plots.interval_bars(summary, "macro_f1", {"rf_grouped": "Random forest, grouped splits",
                                          "logreg_grouped": "Linear probe, grouped splits"},
                    p.embedders, snakemake.output.grouped, p.figures["dpi"])
plots.few_shot_curves(summary, p.embedders, snakemake.output.fewshot, p.figures["dpi"])
long = pd.read_parquet(snakemake.input.long)
cv = long[(long.protocol == "cluster") & (long.metric == "cramers_v_corrected")]
cv = pd.DataFrame({"Cramers_V": cv.value.to_numpy(), "Embedding": cv.embedder.map(aggregate.display_name).to_numpy(),
                   "Location": cv.dataset.map(aggregate.location).to_numpy()})
plots.grouped_bars(cv, "Cramers_V", "Embedding", p.embedders, snakemake.output.cramers_v,
                   "Cramer's V (bias-corrected)",
                   "Cluster-class association (Bergsma's corrected Cramer's V: ~0 under no association)",
                   p.figures["dpi"])
confusion = json.loads(open(snakemake.input.confusion).read())
plots.confusion_grid(confusion, p.embedders, p.datasets, "rf_grouped", snakemake.output.confusion, p.figures["dpi"])
