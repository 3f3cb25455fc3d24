"""The demo's reviewer: marks each window of a review sample positive when it overlaps a known
event of the sound in its recording, negative otherwise."""

import numpy as np
import pandas as pd
from reefclr import settings
from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging
from reefclr.deploy import truth

setup_logging(snakemake.log[0])
s = settings.load(snakemake.config)
table = pd.read_csv(snakemake.input.sample, sep="\t", dtype=str, keep_default_na=False)
known = truth.load(truth.TruthSpec.of(s.deploy, s.data.root, snakemake.wildcards.sound), sorted(table["Source"].unique()))
windows = pd.DataFrame({"source": table["Source"], "offset_s": table["Begin Time (s)"].astype(float),
                        "end_s": table["End Time (s)"].astype(float)})
yes, no = s.deploy.review.positive[0], s.deploy.review.negative[0]
with atomic_path(snakemake.output[0]) as tmp:
    table.assign(Review=np.where(truth.windows_with_sound(windows, known.sound), yes, no)).to_csv(tmp, sep="\t", index=False)
