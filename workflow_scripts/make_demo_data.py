"""Generate the synthetic reef demo (resources/demo)."""

from reefclr.data import demo
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
demo.generate(snakemake.output[0], snakemake.params.demo, snakemake.params.seed)
