"""The demo's reviewer: marks each window of the validation sample positive when it overlaps a
known event of its recording, negative otherwise."""

from pathlib import Path

import numpy as np
import pandas as pd
from reefclr import settings
from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging
from reefclr.deploy import detect

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
table = pd.read_csv(snakemake.input.validation, sep="\t", dtype=str, keep_default_na=False)
truth, _ = detect.truth_events(Path(s.data.root) / s.deploy.truth, s.deploy.truth_label_column,
                               sorted(table["Source"].unique()))
yes, no = snakemake.params.marks
begin, end = table["Begin Time (s)"].astype(float).to_numpy(), table["End Time (s)"].astype(float).to_numpy()
marks = []
for source, b, e in zip(table["Source"], begin, end):
    events = truth[truth["source"] == source]
    overlap = np.minimum(events["end_s"].to_numpy(), e) - np.maximum(events["begin_s"].to_numpy(), b)
    marks.append(yes if (overlap > 0).any() else no)
with atomic_path(Path(snakemake.output[0])) as tmp:
    table.assign(Review=marks).to_csv(tmp, sep="\t", index=False)
