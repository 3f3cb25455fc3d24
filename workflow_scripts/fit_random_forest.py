"""The study's random forest on one embedder, every test set."""

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json
from reefclr.core.logs import setup_logging
from reefclr.core.progress import each_dataset
from reefclr.core.vectors import matrix
from reefclr.evaluation import splits, study

setup_logging(snakemake.log[0])
ev = settings.load(snakemake.config).evaluation
for dataset, source, target in each_dataset(snakemake.params.datasets, snakemake.input, snakemake.output):
    table = study.study_order(pd.read_parquet(source), ev.study.order_for(snakemake.wildcards.embedder))
    table, left_out = splits.leave_out_rare(table, ev.rare_classes, grouped=False)
    y = study.label_codes(table["label"], ev.study.class_order)
    scores = study.random_forest(matrix(table), y, ev.rf, n_jobs=snakemake.threads)
    write_json(dict(embedder=snakemake.wildcards.embedder, dataset=dataset) | scores | {"left_out": left_out},
               target)
