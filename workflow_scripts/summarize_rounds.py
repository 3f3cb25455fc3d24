"""The review rounds of one sound in one deployment side by side: rounds.csv and rounds.png."""

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import rounds
from reefclr.pages import deployplots

setup_logging(snakemake.log[0])
s, inputs, numbers = settings.load(snakemake.config), snakemake.input, snakemake.params.rounds
density = dict(zip(numbers["density"], inputs.densities, strict=True))
scored = dict(zip(numbers["events"], inputs.events, strict=True))
lines = [rounds.row(k, rounds.RoundFiles(c, t, m, density.get(k), scored.get(k)))
         for k, c, t, m in zip(numbers["rounds"], inputs.classifiers, inputs.thresholds, inputs.summaries, strict=True)]
table = pd.DataFrame(lines, columns=rounds.COLUMNS)
write_table(table, snakemake.output.table)
deployplots.rounds(table, snakemake.wildcards.sound, snakemake.output.figure, s.figures.dpi)
