"""UMAP grid, test-F1, chi-square and Cramer's V bars, grouped-split intervals, few-shot curves, confusion matrices."""

import json

import pandas as pd
from reefclr import registry, settings
from reefclr.core.logs import setup_logging
from reefclr.evaluation import aggregate
from reefclr.pages import plots
from reefclr.pages.plots import Bars

setup_logging(snakemake.log[0])
p, out = snakemake.params, snakemake.output
figures = settings.load(snakemake.config).figures
dpi = figures.dpi
pairs = [(e, d) for e in p.embedders for d in p.datasets]
coords = {pair: pd.read_parquet(path) for pair, path in zip(pairs, snakemake.input.coords)}
plots.umap_grid(coords, p.embedders, p.datasets, out.umap_grid, dpi, figures.point_size)
plots.grouped_bars(pd.read_csv(snakemake.input.rf), Bars("Test F1", "Embedding", "test F1 (weighted)",
                                                         "Random-forest test F1 by location and embedding"),
                   p.embedders, out.test_f1, dpi)
plots.grouped_bars(pd.read_csv(snakemake.input.chisq),
                   Bars("Chi2_Stat", "Category", "chi-square statistic",
                        "Cluster-class association (chi-square) by location and embedding", log=True),
                   p.embedders, out.chisq, dpi)
summary = pd.read_csv(snakemake.input.summary)
plots.interval_bars(summary, "macro_f1", {"rf_grouped": "Random forest, grouped splits",
                                          "logreg_grouped": "Linear probe, grouped splits"},
                    p.embedders, out.grouped_f1, dpi)
plots.few_shot_curves(summary, p.embedders, out.fewshot, dpi)
long = pd.read_parquet(snakemake.input.long)
cv = long[(long.protocol == "cluster") & (long.metric == "cramers_v_corrected")]
cv = pd.DataFrame({"Cramers_V": cv.value.to_numpy(), "Embedding": cv.embedder.map(registry.display_name).to_numpy(),
                   "Location": cv.dataset.map(aggregate.location).to_numpy()})
plots.grouped_bars(cv, Bars("Cramers_V", "Embedding", "Cramer's V (bias-corrected)",
                            "Cluster-class association (Bergsma's corrected Cramer's V: ~0 under no association)"),
                   p.embedders, out.cramers_v, dpi)
confusion = json.loads(open(snakemake.input.confusion).read())
plots.confusion_grid(confusion, p.embedders, p.datasets, "rf_grouped", out.confusion_rf_grouped, dpi)
