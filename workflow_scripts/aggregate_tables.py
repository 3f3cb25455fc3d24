"""Collect every score into the study's tables and one long table."""

from reefclr import aggregate
from reefclr.atomic import write_table
from reefclr.logs import setup_logging

setup_logging(snakemake.log[0])
rf = aggregate.read_records(snakemake.input.rf)
clusters = aggregate.read_records(snakemake.input.cluster)
write_table(aggregate.rf_table(rf), snakemake.output.rf)
write_table(aggregate.chisq_table(clusters), snakemake.output.chisq)
scores = aggregate.long_table(rf, clusters)
write_table(scores, snakemake.output.long)
write_table(scores, snakemake.output.long_parquet)
