"""Ingest one dataset and segment it into the clip manifest and its data-check report."""

from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.data import ingest

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
manifest, report = ingest.build_manifest(s.data.dataset(snakemake.wildcards.dataset), s.data.root, s.segment,
                                         s.data.on_bad_audio)
write_json(report, snakemake.output.check)
write_table(manifest, snakemake.output.manifest)
