# Config validation, the settings records, wildcard constraints and the rules' named inputs.
# The logic lives in reefclr.params (what each job depends on) and reefclr.paths (every path).
import os
import sys
import time

sys.path.insert(0, os.path.join(workflow.basedir, "workflow_scripts"))

from reefclr import params, paths, registry, settings
from reefclr.config import ConfigError, compose, load_schema, sort_keys, validate_config

# Jobs run side by side: one BLAS thread each (4.5x faster than oversubscribing here).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# UMAP's numba functions compile once per machine, not once per job (evaluation.study.import_umap).
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.abspath(".snakemake/numba-cache"))

# config.yaml (the demo) only when no --configfile is given: see reefclr.config.compose.
_composed = compose(
    dict(config),
    workflow.overwrite_configfiles,
    workflow.source_path("../config.yaml"),
)
try:
    validate_config(
        _composed, load_schema(workflow.source_path("../schemas/config.schema.yaml"))
    )
except ConfigError as error:
    raise WorkflowError(str(error)) from None
config.clear()
config.update(sort_keys(_composed))  # key order in a config file reruns nothing
S = settings.load(config)

DATASETS = {d.id: d for d in S.data.datasets}
TEST_SETS = S.data.ids("test")
DEPLOY_SETS = S.data.ids("deploy")
EMBEDDERS = list(S.embed.embedders)
USED = params.used_embedders(S)
# Embedders with embeddings (RF, clusters, UMAP, probes), and classifiers trained per test set;
# an embedder's env (its registry record) picks its extraction rule.
FEATURES = [e for e in EMBEDDERS if registry.spec(e).input != "classifier"]
CLASSIFIERS = [e for e in EMBEDDERS if registry.spec(e).input == "classifier"]
TORCH_FEATURES = [
    e for e in USED if registry.spec(e).env == "torch" and e not in CLASSIFIERS
]
TF_FEATURES = [e for e in USED if registry.spec(e).env == "tf"]
SOUNDS = list(S.deploy.classifiers)
# The synthetic demo borrows the study's test-set names; nothing drawn from it claims a reproduction.
IS_DEMO = os.path.normpath(S.data.root) == paths.DEMO
DEMO_NOTICE = params.DEMO_NOTICE if IS_DEMO else ""
INPUTS = params.Inputs(S, IS_DEMO)
TEST_CACHES = [
    f
    for d in TEST_SETS
    for f in paths.shard_files(d, DATASETS[d].shards, ("mel.npy", "index.parquet"))
]


# Quick jobs that run where Snakemake runs, not as cluster jobs.
localrules:
    make_demo_data,
    data_gate,
    download_weights,
    plot_published,
    validate_data,
    check_plan,
    aggregate_tables,
    plot_figures,
    build_results_page,


wildcard_constraints:
    dataset="|".join(DATASETS),
    embedder="|".join(USED),
    shard=r"\d+",
    probe="|".join(params.PROBES),
    sound="|".join(SOUNDS) or "^$",
    round=r"\d+",
    kind="validation|active",


# A data check newer than this ran in this run (params.data_check_reran).
STARTED = time.time()


def reported(path, caption, category):
    """``path`` as an item of the Snakemake report, captioned by report/<caption>.rst."""
    return report(path, caption=f"../report/{caption}.rst", category=category)


def reported_files(template, category, *names):
    """{stem: report item} of the files ``names`` of a folder template (tables, figures), each
    captioned by report/<stem>.rst."""
    return {
        n.split(".")[0]: reported(
            template.replace("{name}", n), n.split(".")[0], category
        )
        for n in names
    }


def per_pair(pattern, embedders=None, **wildcards):
    """``pattern`` for every (embedder, test set); by default the embedders with embeddings."""
    return expand(
        pattern,
        embedder=FEATURES if embedders is None else embedders,
        dataset=TEST_SETS,
        **wildcards,
    )


def per_test_set(pattern):
    """``pattern`` for every test set, ``{embedder}`` (and ``{probe}``) left as wildcards."""
    return expand(pattern, dataset=TEST_SETS, allow_missing=True)
