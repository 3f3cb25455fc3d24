# Config validation, wildcard constraints and the input functions of every rule.
import os
import sys

sys.path.insert(0, os.path.join(workflow.basedir, "workflow_scripts"))

from reefclr import params
from reefclr.registry import EXTERNAL_WEIGHTS, REGISTRY, params_slice, weights_marker
from reefclr.config import (
    ConfigError,
    compose,
    load_schema,
    pretrain_cpus,
    result_settings,
    sort_keys,
    validate_config,
)

# Jobs run side by side: one BLAS thread each (4.5x faster than oversubscribing here).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

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
_canonical = sort_keys(_composed)  # key order in a config file reruns nothing
config.clear()
config.update(_canonical)

DATASETS = {d["id"]: d for d in config["data"]["datasets"]}
PRETRAIN_SETS = [i for i, d in DATASETS.items() if d["role"] == "pretrain"]
TEST_SETS = [i for i, d in DATASETS.items() if d["role"] == "test"]
EMBEDDERS = config["embed"]["embedders"]
# The deployment embedder is extracted too when a classifier learns from a test set with it.
USED = EMBEDDERS + [e for e in params.deploy_embedders(config) if e not in EMBEDDERS]
# Embedders with embeddings (RF, clusters, UMAP, probes), and classifiers trained per test set;
# an embedder's env (its registry record) picks its extraction rule.
FEATURES = [e for e in EMBEDDERS if REGISTRY[e].input != "classifier"]
CLASSIFIERS = [e for e in EMBEDDERS if REGISTRY[e].input == "classifier"]
TORCH_FEATURES = [
    e for e in USED if REGISTRY[e].env == "torch" and e not in CLASSIFIERS
]
TF_FEATURES = [e for e in USED if REGISTRY[e].env == "tf"]
DEMO_ROOT = "resources/demo"
# The synthetic demo borrows the study's test-set names; nothing drawn from it claims a reproduction.
IS_DEMO = os.path.normpath(config["data"]["root"]) == DEMO_ROOT
# The study's figures are drawn against the published ones for its own six test sets only.
IS_STUDY = set(TEST_SETS) == params.STUDY_TEST_SETS and not IS_DEMO
DEMO_NOTICE = params.DEMO_NOTICE if IS_DEMO else ""


def weights_needed():
    return params.weights_needed(config)


# Quick jobs that run where Snakemake runs, not as cluster jobs.
localrules:
    make_demo_data,
    data_gate,
    download_weights,
    plot_published,
    validate_data,
    aggregate_tables,
    plot_figures,
    build_results_page,


wildcard_constraints:
    dataset="|".join(DATASETS),
    embedder="|".join(USED),
    shard=r"\d+",
    probe="rf|logreg|fewshot",


def get_dataset_spec(wildcards):
    return DATASETS[wildcards.dataset]


def get_data_root_input(wildcards):
    """The demo data when data.root is the demo's folder; a user's data is made by no rule."""
    return DEMO_ROOT if IS_DEMO else []


def cache_files(dataset, name):
    """One cache file per shard of ``dataset``."""
    shards = DATASETS[dataset]["shards"]
    return [f"results/cache/{dataset}/shard-{k}/{name}" for k in range(shards)]


TEST_CACHES = [
    f
    for d in TEST_SETS
    for n in ("mel.npy", "index.parquet")
    for f in cache_files(d, n)
]


def get_dataset_cache(wildcards):
    return cache_files(wildcards.dataset, "mel.npy") + cache_files(
        wildcards.dataset, "index.parquet"
    )


def get_pretrain_cache(wildcards):
    return [
        f
        for d in PRETRAIN_SETS
        for n in ("mel.npy", "index.parquet")
        for f in cache_files(d, n)
    ]


def get_knn_cache(wildcards):
    """The labelled set of the online k-NN check, if any."""
    knn = config["pretrain"]["knn"]["dataset"]
    return (
        cache_files(knn, "mel.npy") + cache_files(knn, "index.parquet") if knn else []
    )


def weights_file(name):
    """The file whose change reruns ``name``'s jobs; missing weights stop the DAG here."""
    return weights_marker(name, config["embed"]["weights"][name])


def embedder_weights(name):
    if name == "reefclr":
        return ["results/models/reefclr/encoder.pt"]
    return [weights_file(name)] if name in weights_needed() else []


def get_embed_weights(wildcards):
    return embedder_weights(wildcards.embedder)


def get_supervised_weights(wildcards):
    if wildcards.embedder == "supervised_from_reefclr":
        return ["results/models/reefclr/encoder.pt"]
    if config["supervised"]["init"] == "imagenet":
        return [weights_file("imagenet")]
    return []


def get_embedder_params(wildcards):
    """The config slice one embedder reads: it alone triggers that embedder's reruns."""
    return params_slice(wildcards.embedder, config)


def get_supervised_params(wildcards):
    return params.supervised(config, wildcards.embedder)


def get_probe_params(wildcards):
    return params.probe(config, wildcards.probe, wildcards.embedder)


def get_run_hash():
    return params.run_hash(config)


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


PROBES = ["rf", "logreg", "fewshot"]


def get_final_outputs():
    # The results page reads the study's tables and the figures; the rest are sinks.
    outputs = ["results/data_check/summary.md", "results/index.html"]
    outputs += ["results/explorer.html", "results/figures/chisq.png"]
    if "reefclr" in EMBEDDERS:
        outputs.append("results/models/reefclr/loss_curve.png")
    if IS_STUDY:
        outputs.append("results/figures/published_vs_reproduced.png")
    if config["embed"]["export_csv"]:
        outputs += per_pair("results/raw_embeddings/{embedder}/{dataset}.csv")
    return outputs
