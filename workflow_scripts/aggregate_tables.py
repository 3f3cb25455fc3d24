"""Collect every score into the study's tables, one long table, interval summaries and
paired differences between embedders."""

import json

import pandas as pd
from reefclr import registry
from reefclr.evaluation import aggregate, probes
from reefclr.core.atomic import read_parquet_metadata, write_json, write_table
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
rf = aggregate.read_records(snakemake.input.rf)
clusters = aggregate.read_records(snakemake.input.cluster)
write_table(aggregate.rf_table(rf), snakemake.output.RF_results)
write_table(aggregate.chisq_table(clusters), snakemake.output.chisq_results)
tables = [pd.read_parquet(f) for f in snakemake.input.grouped]
grouped = pd.concat(tables, ignore_index=True)
scores = aggregate.long_table(rf, clusters, grouped)
write_table(scores, snakemake.output.long)
write_table(scores, snakemake.output.long_parquet)
write_table(aggregate.cluster_table(clusters), snakemake.output.cluster_scores)
summary = probes.summarise(grouped)
write_table(summary, snakemake.output.grouped_summary)
write_table(probes.paired_differences(grouped), snakemake.output.paired_differences)
surfperch = probes.surfperch_table(summary)
surfperch["embedder"] = surfperch["embedder"].map(registry.display_name)
write_table(surfperch, snakemake.output.fewshot_surfperch)
confusion, left_out = {}, []
for path, table in zip(snakemake.input.grouped, tables):
    meta = read_parquet_metadata(path)
    first = table.iloc[0]
    protocol = first.protocol if first.protocol.endswith("_grouped") else "fewshot"
    left_out.append(((first.embedder, first.dataset, protocol), json.loads(meta.get("left_out", "{}"))))
    if "confusion" in meta:
        confusion.setdefault(first.embedder, {}).setdefault(first.dataset, {})[first.protocol] = json.loads(
            meta["confusion"])
write_json(confusion, snakemake.output.confusion)
write_table(aggregate.left_out_table(rf, left_out), snakemake.output.left_out_classes)
