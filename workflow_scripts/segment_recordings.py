"""Ingest one dataset and segment it into the clip manifest."""

from reefclr import ingest
from reefclr.atomic import write_table
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
manifest = ingest.build_manifest(snakemake.params.spec, snakemake.params.root, snakemake.params.segment)
write_table(manifest, snakemake.output[0])
