"""results/index.html: the answer per test set first, then the tables and figures."""

from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging
from reefclr.pages import resultspage

setup_logging(snakemake.log[0])
i = snakemake.input
text = resultspage.page(resultspage.Tables.read(i.summary, i.paired, i.rf, i.chisq), i.figures,
                        notice=snakemake.params.notice)
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(text, encoding="utf-8")
