"""results/index.html: the answer per test set first, whether pretraining beat its untrained twin,
then the tables and figures, then each deployment's review rounds."""

from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging
from reefclr.pages import resultspage

setup_logging(snakemake.log[0])
i = snakemake.input
text = resultspage.page(resultspage.Tables.read(i.summary, i.paired, i.rf, i.chisq), i.figures,
                        notice=snakemake.params.notice, deployments=snakemake.params.deployments,
                        pretraining=list(i.pretraining))
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(text, encoding="utf-8")
