# Config validation, wildcard constraints and the input functions of every rule.
import os
import sys

sys.path.insert(0, os.path.join(workflow.basedir, "workflow_scripts"))

from reefclr.config import (
    ConfigError,
    load_schema,
    pretrain_cpus,
    slice_hash,
    sort_keys,
    validate_config,
)
from reefclr.catalog import FEATURE_EMBEDDERS, SUPERVISED, WAVEFORM_EMBEDDERS, require

# Jobs run side by side: one BLAS thread each (4.5x faster than oversubscribing here).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

try:
    validate_config(
        config, load_schema(workflow.source_path("../schemas/config.schema.yaml"))
    )
except ConfigError as error:
    raise WorkflowError(str(error)) from None
_canonical = sort_keys(dict(config))  # key order in a config file reruns nothing
config.clear()
config.update(_canonical)

DATASETS = {d["id"]: d for d in config["data"]["datasets"]}
PRETRAIN_SETS = [i for i, d in DATASETS.items() if d["role"] == "pretrain"]
TEST_SETS = [i for i, d in DATASETS.items() if d["role"] == "test"]
EMBEDDERS = config["embed"]["embedders"]
# Embedders with embeddings (RF, clusters, UMAP, probes), and classifiers trained per test set.
FEATURES = [e for e in EMBEDDERS if e in FEATURE_EMBEDDERS]
CLASSIFIERS = [e for e in EMBEDDERS if e in SUPERVISED]
MEL_FEATURES = [e for e in FEATURES if e not in WAVEFORM_EMBEDDERS]
WAVE_FEATURES = [e for e in FEATURES if e in WAVEFORM_EMBEDDERS]
DEMO_ROOT = "resources/demo"
# The synthetic demo borrows the study's test-set names; nothing drawn from it claims a reproduction.
IS_DEMO = os.path.normpath(config["data"]["root"]) == DEMO_ROOT
STUDY_TEST_SETS = {
    f"test_{loc}"
    for loc in (
        "australia",
        "bermuda",
        "florida",
        "french_polynesia",
        "indonesia",
        "kenya",
    )
}


def weights_needed():
    """Embedders whose pretrained weights this config needs."""
    needed = [e for e in EMBEDDERS if e in ("imagenet", "vggish", "yamnet", "birdnet")]
    if "supervised" in EMBEDDERS and config["supervised"]["init"] == "imagenet":
        needed.append("imagenet")
    return sorted(set(needed))


# Quick jobs that run where Snakemake runs, not as cluster jobs.
localrules:
    make_demo_data,
    data_gate,
    download_weights,
    plot_published,
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
    return DEMO_ROOT if IS_DEMO else []


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


def weights_file(name):
    """The file whose change must rerun ``name``'s jobs. Missing weights stop the DAG here,
    before any job runs, with a message naming the file and where to put it."""
    path = require(name, config["embed"]["weights"][name])
    return str(path / "saved_model.pb") if name in ("vggish", "yamnet") else str(path)


def get_embed_weights(wildcards):
    name = wildcards.embedder
    if name == "reefclr":
        return ["results/models/reefclr/encoder.pt"]
    return [weights_file(name)] if name in weights_needed() else []


def get_supervised_weights(wildcards):
    if wildcards.embedder == "supervised_from_reefclr":
        return ["results/models/reefclr/encoder.pt"]
    if config["supervised"]["init"] == "imagenet":
        return [weights_file("imagenet")]
    return []


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
        "imagenet": {"model_input": config["model_input"]},
        "acoustic_indices": {"indices": config["embed"]["acoustic_indices"]},
    }
    out = slices.get(name, {}) | {"name": name, "version": config["embed"]["version"]}
    if name in ("imagenet", "vggish", "yamnet", "birdnet"):
        out["weights"] = config["embed"]["weights"][name]
    if name in WAVEFORM_EMBEDDERS:
        out["audio"] = {
            "data_root": config["data"]["root"],
            "clip_s": config["segment"]["clip_s"],
            "channel": config["segment"]["channel"],
        }
    return out


def get_supervised_params(wildcards):
    """What one supervised classifier depends on: its training settings and the RF split."""
    init = "reefclr" if wildcards.embedder == "supervised_from_reefclr" else None
    return {
        "supervised": config["supervised"],
        "init": init or config["supervised"]["init"],
        "split": {
            k: config["evaluation"]["rf"][k] for k in ("test_size", "random_state")
        },
        "rare_classes": config["evaluation"]["rare_classes"],
        "model_input": config["model_input"],
        "spectrogram": config["spectrogram"],
        "waveform_method": config["pretrain"]["waveform_method"],
        "seed": config["seed"],
    }


def get_probe_params(wildcards):
    """The config slices one grouped probe reads: changing one reruns only its jobs."""
    ev = config["evaluation"]
    needs = {"rf": ["rf"], "logreg": ["logreg"], "fewshot": ["logreg", "fewshot"]}
    return {k: ev[k] for k in needs[wildcards.probe]} | {
        "grouped": ev["grouped"],
        "rare_classes": ev["rare_classes"],
        "embedder": wildcards.embedder,
    }


def get_data_needs():
    """The settings that decide whether the data check stops the run (its params). The
    warnings about few-shot sizes and the pretraining batch read their settings from the
    config without being params: changing them reruns no data check."""
    ev = config["evaluation"]
    return {"test_size": ev["rf"]["test_size"], "rare_classes": ev["rare_classes"]}


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
    "sync_batchnorm",
)


def get_run_hash():
    """Settings that define a pretraining run; a checkpoint resumes only the same run."""
    defining = {
        k: v for k, v in config["pretrain"].items() if k not in RESUMABLE_ACROSS
    }
    return slice_hash(
        defining, config["model_input"], config["spectrogram"], config["seed"]
    )


def per_pair(pattern, embedders=None, **wildcards):
    """``pattern`` for every (embedder, test set); by default the embedders with embeddings."""
    return expand(
        pattern,
        embedder=FEATURES if embedders is None else embedders,
        dataset=TEST_SETS,
        **wildcards,
    )


PROBES = ["rf", "logreg", "fewshot"]


def get_final_outputs():
    outputs = [
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
    ]
    if "reefclr" in EMBEDDERS:
        outputs.append("results/models/reefclr/loss_curve.png")
    if set(TEST_SETS) == STUDY_TEST_SETS and not IS_DEMO:
        outputs.append("results/figures/published_vs_reproduced.png")
    if config["embed"]["export_csv"]:
        outputs += per_pair("results/raw_embeddings/{embedder}/{dataset}.csv")
    return outputs
