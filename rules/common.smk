# Config validation, wildcard constraints and the input functions of every rule.
import os
import sys

sys.path.insert(0, os.path.join(workflow.basedir, "workflow_scripts"))

from reefclr.config import ConfigError, load_schema, slice_hash, validate_config

# Jobs run side by side: one BLAS thread each (4.5x faster than oversubscribing here).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

try:
    validate_config(
        config, load_schema(workflow.source_path("../schemas/config.schema.yaml"))
    )
except ConfigError as error:
    raise WorkflowError(str(error)) from None

DATASETS = {d["id"]: d for d in config["data"]["datasets"]}
PRETRAIN_SETS = [i for i, d in DATASETS.items() if d["role"] == "pretrain"]
TEST_SETS = [i for i, d in DATASETS.items() if d["role"] == "test"]
EMBEDDERS = config["embed"]["embedders"]
DEMO_ROOT = "resources/demo"


# Quick jobs that run where Snakemake runs, not as cluster jobs.
localrules:
    make_demo_data,
    validate_data,
    aggregate_tables,
    plot_figures,


wildcard_constraints:
    dataset="|".join(DATASETS),
    embedder="|".join(EMBEDDERS),
    shard=r"\d+",
    probe="rf|logreg|fewshot",


def get_dataset_spec(wildcards):
    return DATASETS[wildcards.dataset]


def get_data_root_input(wildcards):
    """The demo data when data.root is the demo's folder; a user's data is made by no rule."""
    return DEMO_ROOT if os.path.normpath(config["data"]["root"]) == DEMO_ROOT else []


def cache_files(dataset, name):
    """One cache file per shard of ``dataset``."""
    shards = DATASETS[dataset]["shards"]
    return [f"results/cache/{dataset}/shard-{k}/{name}" for k in range(shards)]


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


def get_embed_weights(wildcards):
    return (
        "results/models/reefclr/encoder.pt" if wildcards.embedder == "reefclr" else []
    )


def get_embedder_params(wildcards):
    """The config slice one embedder reads: it alone triggers that embedder's reruns."""
    name = wildcards.embedder
    slices = {
        "reefclr": {"model_input": config["model_input"]},
        "random_init": {
            "model_input": config["model_input"],
            "encoder": config["pretrain"]["encoder"],
            "width": config["pretrain"]["width"],
            "seed": config["seed"],
        },
        "mel_stats": {"n_mels": config["spectrogram"]["n_mels"]},
    }
    return slices[name] | {"name": name, "version": config["embed"]["version"]}


def get_probe_params(wildcards):
    """The config slices one grouped probe reads: changing one reruns only its jobs."""
    ev = config["evaluation"]
    needs = {"rf": ["rf"], "logreg": ["logreg"], "fewshot": ["logreg", "fewshot"]}
    return {k: ev[k] for k in needs[wildcards.probe]} | {
        "grouped": ev["grouped"],
        "embedder": wildcards.embedder,
    }


def get_pretrain_gpus():
    return config["pretrain"]["gpus"]


# Pretraining settings that change speed or logging only: a checkpoint survives them.
RESUMABLE_ACROSS = (
    "workers",
    "compile",
    "log_every",
    "checkpoint_every",
    "device",
    "gpus",
)


def get_run_hash():
    """Settings that define a pretraining run; a checkpoint resumes only the same run."""
    defining = {
        k: v for k, v in config["pretrain"].items() if k not in RESUMABLE_ACROSS
    }
    return slice_hash(
        defining, config["model_input"], config["spectrogram"], config["seed"]
    )


def per_pair(pattern, **wildcards):
    return expand(pattern, embedder=EMBEDDERS, dataset=TEST_SETS, **wildcards)


PROBES = ["rf", "logreg", "fewshot"]


def get_final_outputs():
    return [
        "results/data_check/summary.md",
        "results/tables/RF_results.csv",
        "results/tables/chisq_results.csv",
        "results/tables/scores_long.csv",
        "results/tables/grouped_summary.csv",
        "results/tables/paired_differences.csv",
        "results/figures/grouped_f1.png",
        "results/figures/fewshot.png",
        "results/figures/umap_grid.png",
        "results/figures/test_f1.png",
        "results/figures/chisq.png",
    ] + (["results/models/reefclr/loss_curve.png"] if "reefclr" in EMBEDDERS else [])
