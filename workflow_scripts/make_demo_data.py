"""Generate the synthetic reef demo (resources/demo)."""

from reefclr import settings
from reefclr.core.logs import setup_logging
from reefclr.data import demo

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
demo.generate(snakemake.output[0], s.demo, s.seed)
