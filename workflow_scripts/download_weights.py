"""Fetch the pretrained weights the configured embedders need (run where there is internet)."""

from reefclr.embedders.download import download
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
for name in snakemake.params.names:
    print(f"{name}: {download(name, snakemake.params.weights.get(name))}")
