"""One embedder x test set as the study's raw-embedding CSV: vector columns, file_name, label, dataset."""

import pandas as pd
from reefclr.core.atomic import write_table
from reefclr.evaluation.export import study_csv
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
write_table(study_csv(pd.read_parquet(snakemake.input[0])), snakemake.output[0])
