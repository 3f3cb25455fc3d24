# ReefCLR: self-supervised audio embeddings for coral-reef soundscapes, end to end.
# Table of contents only; the logic lives in workflow_scripts/reefclr/.
from snakemake.utils import min_version

min_version("9.0")


# No configfile directive: config.yaml (the demo) is the config when no --configfile is given,
# and config files given are layered over the schema's defaults alone (rules/common.smk).


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/cache.smk"
include: "rules/pretrain.smk"
include: "rules/embed.smk"
include: "rules/evaluate.smk"
include: "rules/report.smk"
include: "rules/deploy_search.smk"
include: "rules/deploy_detect.smk"
include: "rules/deploy_review.smk"


rule all:
    default_target: True
    input:
        params.targets(S, IS_DEMO),


onsuccess:
    if params.data_check_reran(STARTED):
        print(params.DATA_CHECK_RERAN, file=sys.stderr)
