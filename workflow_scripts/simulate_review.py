"""The demo's reviewer: marks each window of the validation sample positive when it overlaps a
known event of its recording, negative otherwise."""

from pathlib import Path

import numpy as np
import pandas as pd
from reefclr import settings
from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging
from reefclr.deploy import density, detect

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
table = pd.read_csv(snakemake.input.validation, sep="\t", dtype=str, keep_default_na=False)
truth, _ = detect.truth_events(Path(s.data.root) / s.deploy.truth, s.deploy.truth_label_column,
                               sorted(table["Source"].unique()))
windows = pd.DataFrame({"source": table["Source"], "offset_s": table["Begin Time (s)"].astype(float),
                        "end_s": table["End Time (s)"].astype(float)})
yes, no = snakemake.params.marks
with atomic_path(Path(snakemake.output[0])) as tmp:
    table.assign(Review=np.where(density.true_density(windows, truth), yes, no)).to_csv(tmp, sep="\t", index=False)
