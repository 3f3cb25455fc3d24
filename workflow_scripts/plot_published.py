"""Reproduced against published random-forest test F1."""

import pandas as pd
from reefclr.pages import plots
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
plots.published_scatter(pd.read_csv(snakemake.input.rf), pd.read_csv(snakemake.input.published),
                        snakemake.output[0], snakemake.params.dpi)
