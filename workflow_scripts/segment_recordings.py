"""Ingest one dataset and segment it into the clip manifest and its data-check report."""

from reefclr.data import ingest
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
p = snakemake.params
manifest, report = ingest.build_manifest(p.spec, p.root, p.segment, p.on_bad_audio)
write_json(report, snakemake.output.check)
write_table(manifest, snakemake.output.manifest)
