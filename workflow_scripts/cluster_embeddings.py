"""UMAP + affinity propagation + chi-square on one embedder, every test set; each clip's
cluster beside the scores (for the explorer)."""

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.core.progress import each_dataset
from reefclr.core.vectors import matrix
from reefclr.evaluation import study

setup_logging(snakemake.log[0])
ev = settings.load(snakemake.config).evaluation
cfg = ev.cluster
for dataset, source, scores_path, clusters_path in each_dataset(
        snakemake.params.datasets, snakemake.input, snakemake.output.scores, snakemake.output.clusters):
    table = study.study_order(pd.read_parquet(source), ev.study.order_for(snakemake.wildcards.embedder))
    x, y = matrix(table), study.label_codes(table["label"], ev.study.class_order)
    assigned = study.cluster_assignments(x, y, cfg)
    scores = study.cluster_scores(x, y, cfg, assigned, groups=table["group"].to_numpy())
    write_json(dict(embedder=snakemake.wildcards.embedder, dataset=dataset) | scores, scores_path)
    keep, clusters, _ = assigned
    write_table(pd.DataFrame({"clip_id": table["clip_id"].to_numpy()[keep], "cluster": clusters}), clusters_path)
