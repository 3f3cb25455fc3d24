"""Rules' params: the config slice each job reads, and nothing else.

A job reruns when its params change, so each holds exactly the settings that change its
result (never the runtime settings of ``reefclr.config.RUNTIME_SETTINGS``). Light: the
Snakefile imports it for every DAG.
"""

from __future__ import annotations

import os

from reefclr.registry import EXTERNAL_WEIGHTS
from reefclr.config import result_settings, slice_hash

STUDY_TEST_SETS = frozenset(f"test_{loc}" for loc in
                            ("australia", "bermuda", "florida", "french_polynesia", "indonesia", "kenya"))
PROBE_NEEDS = {"rf": ["rf"], "logreg": ["logreg"], "fewshot": ["logreg", "fewshot"]}
HARDWARE = ("device", "gpus", "sync_batchnorm")  # a checkpoint resumes across these
DEMO_NOTICE = ("Synthetic demo data: generated recordings that share the study's test-set names; nothing "
               "here is a reproduction of the study.")


def deploy_sets(config: dict) -> list[str]:
    return [d["id"] for d in config["data"]["datasets"] if d["role"] == "deploy"]


def deploy_embedders(config: dict) -> list[str]:
    """The deployment embedder, when the config has a deployment."""
    return [config["deploy"]["embedder"]] if deploy_sets(config) else []


def deploy_shards(config: dict, dataset: str) -> list[str]:
    shards = next(d["shards"] for d in config["data"]["datasets"] if d["id"] == dataset)
    return [f"results/deploy/{dataset}/windows/shard-{k}.parquet" for k in range(shards)]


def classifier_examples(config: dict, sound: str) -> list[str]:
    """A test set's embeddings by the deployment embedder, or every deployment window."""
    spec = config["deploy"]["classifiers"][sound]
    if "dataset" in spec:
        return [f"results/embeddings/{config['deploy']['embedder']}/{spec['dataset']}.parquet"]
    return [f for d in deploy_sets(config) for f in deploy_shards(config, d)]


def reviewed_table(config: dict, sound: str) -> list[str]:
    spec = config["deploy"]["classifiers"][sound]
    return [os.path.join(config["data"]["root"], spec["reviewed"])] if "reviewed" in spec else []


def queries_input(config: dict, demo_root: str | None) -> str:
    """The query folder (a new file there reruns the search), or the demo that makes it."""
    queries = config["deploy"]["queries"] or ""
    inside_demo = demo_root is not None and not os.path.isabs(queries)
    return demo_root if inside_demo else os.path.join(config["data"]["root"], queries)


def deploy_outputs(config: dict) -> list[str]:
    """Classifiers, search hits and each sound's detections of every deployment (none without one)."""
    sets, sounds = deploy_sets(config), list(config["deploy"]["classifiers"])
    outputs = [f"results/deploy/classifiers/{s}.json" for s in sounds] if sets else []
    for d in sets:
        if config["deploy"]["queries"]:
            outputs.append(f"results/deploy/{d}/search/hits.csv")
        outputs += [f"results/deploy/{d}/detections/{s}/summary.json" for s in sounds]
    return outputs


def weights_needed(config: dict) -> list[str]:
    """Embedders whose pretrained weights this config needs."""
    embedders = config["embed"]["embedders"] + deploy_embedders(config)
    needed = {e for e in embedders if e in EXTERNAL_WEIGHTS}
    if "supervised" in embedders and config["supervised"]["init"] == "imagenet":
        needed.add("imagenet")
    return sorted(needed)


def supervised(config: dict, embedder: str) -> dict:
    """What one supervised classifier depends on: its training settings and the RF split."""
    rf = config["evaluation"]["rf"]
    return {
        "supervised": config["supervised"],
        "init": "reefclr" if embedder == "supervised_from_reefclr" else config["supervised"]["init"],
        "split": {k: rf[k] for k in ("test_size", "random_state")},
        "rare_classes": config["evaluation"]["rare_classes"],
        "model_input": config["model_input"],
        "spectrogram": result_settings(config, "spectrogram"),
        "waveform_method": config["pretrain"]["waveform_method"],
        "seed": config["seed"],
    }


def probe(config: dict, probe_name: str, embedder: str) -> dict:
    """The evaluation slices one grouped probe reads: changing one reruns only its jobs."""
    ev = config["evaluation"]
    return {k: ev[k] for k in PROBE_NEEDS[probe_name]} | {
        "grouped": ev["grouped"], "rare_classes": ev["rare_classes"], "embedder": embedder}


def data_needs(config: dict) -> dict:
    """The settings that decide whether the data check stops the run. Its warnings about
    few-shot sizes and the pretraining batch read the config without being params."""
    ev = config["evaluation"]
    return {"test_size": ev["rf"]["test_size"], "rare_classes": ev["rare_classes"]}


def run_hash(config: dict) -> str:
    """Settings that define a pretraining run; a checkpoint resumes only the same run, across
    runtime settings and the hardware."""
    defining = {k: v for k, v in result_settings(config, "pretrain").items() if k not in HARDWARE}
    return slice_hash(defining, config["model_input"], result_settings(config, "spectrogram"), config["seed"])
