"""The study's random forest on one embedder, every test set."""

import pandas as pd
from reefclr.evaluation import study, splits
from reefclr.core.atomic import write_json
from reefclr.core.logs import each_test_set, setup_logging
from reefclr.core.vectors import matrix

setup_logging(snakemake.log[0])
for dataset, source, target in each_test_set(snakemake.params.datasets, snakemake.input, snakemake.output):
    table = study.study_order(pd.read_parquet(source))
    table, left_out = splits.leave_out_rare(table, snakemake.params.rare_classes, grouped=False)
    scores = study.random_forest(matrix(table), table["label"].to_numpy(),
                                    snakemake.params.rf, n_jobs=snakemake.threads)
    write_json(dict(embedder=snakemake.wildcards.embedder, dataset=dataset) | scores | {"left_out": left_out},
               target)
