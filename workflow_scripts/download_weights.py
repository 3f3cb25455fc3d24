"""Fetch the pretrained weights the configured embedders need (run where there is internet)."""

from reefclr import settings
from reefclr.core.logs import setup_logging
from reefclr.embedders.download import download

setup_logging(snakemake.log[0])
weights = settings.load(snakemake.config).embed.weights
for name in snakemake.params.names:
    print(f"{name}: {download(name, weights.get(name))}")
