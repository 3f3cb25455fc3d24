"""Both paper presets, end to end on CPU, on a tiny dataset in the study's own format.

The study's layout: pre-cut 1.92 s clips named as the study named them, one dataset.json
with train_data (pretraining) and test_data entries of its six test sets. Overrides change
only size and device: a few SimCLR steps of a small batch, 64-pixel images, one supervised
epoch, one pretraining shard, the CPU; ImageNet and VGGish are stand-in weights built here.
The as-run preset then runs in the same folder, so Snakemake reruns exactly what it changes.
"""

import json

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import yaml
from snakerun import REPO, planned_rules, snakemake

import standins

LOCATIONS = ["kenya", "bermuda", "florida", "indonesia", "australia", "french_polynesia"]
SR = 16000


def _clip(path, freq, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(int(1.92 * SR)) / SR
    x = 0.2 * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t)) + 0.05 * rng.standard_normal(len(t))
    sf.write(str(path), x.astype(np.float32), SR, subtype="PCM_16")


def study_dataset(root):
    """dataset.json + clips: 16 pretraining clips; per test set 3 sites x 3 clips per class
    (bermuda: 3 classes; each site records one class, as in the study), each class its own
    tone so that something can be learnt."""
    root.mkdir(parents=True)
    entries, seed = [], 0
    for i in range(16):
        name = f"train_data.convmet.{i:06d}.florida_keys.bioph_fish.wav"
        _clip(root / name, 150 + 60 * i, seed := seed + 1)
        entries.append({"file_name": name, "class": "class0", "data_type": "train_data", "dataset": "pretrain"})
    for loc in LOCATIONS:
        for k in range(3 if loc == "bermuda" else 2):
            for site in range(3):
                for j in range(3):
                    name = f"test_data.{loc}.class{k}.site{k}{site}day1.5210.2102061{site}{j}000.wav"
                    _clip(root / name, 300 + 900 * k + 40 * site, seed := seed + 1)
                    entries.append({"file_name": name, "class": f"class{k}", "data_type": "test_data",
                                    "dataset": f"test_{loc}"})
    (root / "dataset.json").write_text(json.dumps({"audio": entries}))


def size_overrides(root) -> str:
    """The paper preset's data list with one pretraining shard, and size/device settings only."""
    paper = yaml.safe_load((REPO / "presets/paper.yaml").read_text())
    datasets = paper["data"]["datasets"]
    for d in datasets:
        if d["role"] == "pretrain":
            d["shards"] = 1
    return yaml.safe_dump({
        "data": {"root": str(root), "datasets": datasets},
        "model_input": {"image_size": 64},
        "pretrain": {"batch_size": 8, "steps": 3, "checkpoint_every": 1, "log_every": 1, "workers": 0,
                     "device": "cpu", "gpus": 0, "knn": {"every": 1}},
        "supervised": {"epochs": 1, "batch_size": 8, "device": "cpu"},
        "evaluation": {"cluster": {"permutations": 99}},
    })


@pytest.fixture(scope="module")
def paper_run(tmp_path_factory):
    from snakerun import copy_workflow

    base = tmp_path_factory.mktemp("paper")
    mp = pytest.MonkeyPatch()
    mp.setenv("TORCH_HOME", str(base / "torch"))
    mp.setenv("TFHUB_CACHE_DIR", str(base / "tfhub"))
    from reefclr import registry

    standins.imagenet_checkpoint(base / "torch")
    standins.hub_savedmodel(registry.locate("vggish", None), "vggish")
    study_dataset(base / "study")
    wf = copy_workflow(base / "wf")
    (wf / "size.yaml").write_text(size_overrides(base / "study"))
    out = snakemake(wf, "--cores", "2", "--configfile", "presets/paper.yaml", "size.yaml", timeout=1800)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    yield wf
    mp.undo()


AS_RUN = ("--configfile", "presets/paper.yaml", "presets/paper_as_run.yaml", "size.yaml", "size_as_run.yaml")


def test_the_written_protocol_runs_end_to_end(paper_run):
    wf = paper_run
    rf = pd.read_csv(wf / "results/tables/RF_results.csv")
    assert set(rf.Embedding) == {"ReefCLR", "ImageNet", "VGGish", "Supervised"}
    assert set(rf.Location) == set(LOCATIONS)
    assert (wf / "results/figures/published_vs_reproduced.png").exists()  # the study's data and test sets
    card = json.loads((wf / "results/models/reefclr/model_card.json").read_text())
    assert card["sessions"][0]["precision"] == "fp32"
    summary = pd.read_csv(wf / "results/tables/grouped_summary.csv")
    assert set(summary.grouping) == {"pattern"}  # the study's site/day field of the clip names
    assert (summary.splits == summary.repeats).all() and (summary.splits <= 10).all()
    binary = summary[summary.dataset != "test_bermuda"]  # 3 sites per class: 3 x 3 possible splits
    assert binary.exhaustive.all() and (binary.splits == 9).all()
    sup = json.loads((wf / "results/evaluation/rf/supervised/test_kenya.json").read_text())
    assert (sup["split"], sup["precision"], sup["device"], sup["n_test"]) == ("study", "fp32", "cpu", 4)
    check = json.loads((wf / "results/data_check/summary.json").read_text())
    assert check["leakage"] == [] and all(d["grouping"] == "pattern" for d in check["datasets"]
                                          if d["role"] == "test")


def test_the_run_as_published_reruns_only_what_it_changes(paper_run):
    wf = paper_run
    (wf / "size_as_run.yaml").write_text(yaml.safe_dump({"pretrain": {"steps": 4, "export_step": 3}}))
    counts = planned_rules(wf, *AS_RUN)
    assert counts["pretrain_simclr"] == 1 and counts["extract_embeddings"] == 1  # reefclr only
    assert "build_spectrogram_cache" not in counts and "train_supervised" not in counts
    assert "extract_waveform_embeddings" not in counts  # VGGish untouched
    out = snakemake(wf, "--cores", "2", *AS_RUN, timeout=1800)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    history = pd.read_csv(wf / "results/models/reefclr/train_log.csv")
    assert list(history.step) == [1, 2, 3]  # stopped at export_step, schedule of 4 steps
    assert history.lr.iloc[-1] > 0  # the cosine schedule had not reached its end
    assert planned_rules(wf, *AS_RUN) == {}
