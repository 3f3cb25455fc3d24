"""results/index.html: the answer per test set first, then the tables and figures."""

import pandas as pd
from reefclr.pages import resultspage
from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging

setup_logging(snakemake.log[0])
i = snakemake.input
text = resultspage.page(pd.read_csv(i.summary), pd.read_csv(i.paired), pd.read_csv(i.rf), pd.read_csv(i.chisq),
                        i.figures, snakemake.params.title, snakemake.params.notice)
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(text, encoding="utf-8")
