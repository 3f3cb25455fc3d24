"""reefclr.params: the rules' params, inputs and targets, and the pretraining run's CPUs and hash."""

from types import SimpleNamespace

import pytest
import yaml

from helpers import REPO, defaults, workflow_config
from reefclr import params, paths, settings
from reefclr.params import pretrain_cpus


@pytest.mark.parametrize("presets", [(), ("config.yaml", "presets/ci.yaml"), ("presets/paper.yaml",),
                                     ("presets/paper.yaml", "presets/paper_as_run.yaml")])
def test_pretraining_cpus_follow_the_view_workers_in_every_preset(presets):
    """The SLURM profile leaves pretrain_simclr's CPUs to the rule (threads and cpus_per_task:
    rules/pretrain.smk), one per waveform-view worker of each process plus the trainer."""
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert "cpus_per_task" not in profile["set-resources"]["pretrain_simclr"]
    p = settings.load(workflow_config(*presets)).pretrain
    cpus = pretrain_cpus(p)
    if p.views == "waveform":
        assert cpus == p.workers * max(1, p.gpus) + 1
    else:
        assert cpus == 8
    assert profile["set-resources"]["train_supervised"]["runtime"] >= 600  # 100 ResNet50 epochs
    rule = (REPO / "rules/pretrain.smk").read_text()
    assert 'threads: params.pretrain_cpus(S.pretrain)' in rule
    assert 'cpus_per_task=params.pretrain_cpus(S.pretrain)' in rule


@pytest.fixture(scope="module")
def demo():
    return settings.load(workflow_config())


def test_the_demo_targets_the_pages_and_every_deployment_summary(demo):
    targets = params.targets(demo, is_demo=True)
    assert "results/index.html" in targets and "results/explorer.html" in targets
    assert {f"results/deploy/deploy_reef/round-{k}/detections/fish/summary.json" for k in (0, 1, 2)} <= set(targets)
    assert "results/deploy/classifiers/fish/round-2.json" in targets and paths.LOSS_CURVE in targets
    assert "results/deploy/deploy_reef/rounds/fish.csv" in targets
    assert "results/figures/published_vs_reproduced.png" not in targets  # the demo reproduces nothing
    assert len(targets) == len(set(targets))
    review = "results/deploy/deploy_reef/round-2/review/fish/"
    assert {review + "validation.selections.txt", review + "active.selections.txt", review + "validation.html",
            review + "active.html"} <= set(targets)
    detections = "results/deploy/deploy_reef/round-2/detections/fish/"
    assert {detections + "density.csv", detections + "event_scores.csv"} <= set(targets)  # the demo has known events


def test_a_density_estimate_holds_what_it_reads_in_its_params(demo):
    inputs, sound = params.Inputs(demo, is_demo=True), SimpleNamespace(sound="fish", dataset="deploy_reef", round="1")
    held = inputs.density(sound)
    assert held["review"] == demo.deploy.review.estimate() and held["hop_s"] == 1.92
    assert held["classifier"] == demo.deploy.classifiers["fish"].result()
    assert held["truth"] == {"folder": "deploy_truth", "column": "Annotation", "labels": ["fish"], "unknown": ["UNK"]}
    assert params.Inputs(params_without_truth(demo), is_demo=True).truth_of(sound) == {}


def params_without_truth(s):
    from dataclasses import replace

    return replace(s, deploy=replace(s.deploy, truth=None))


def test_embed_weights_of_reefclr_is_the_encoder_this_workflow_trains(demo):
    inputs = params.Inputs(demo, is_demo=True)
    assert inputs.embed_weights(SimpleNamespace(embedder="reefclr")) == ["results/models/reefclr/encoder.pt"]
    assert inputs.embed_weights(SimpleNamespace(embedder="mel_stats")) == []  # no weights
    assert inputs.data_root(SimpleNamespace()) == [paths.DEMO]
    assert params.Inputs(demo, is_demo=False).data_root(SimpleNamespace()) == []


def test_run_hash_ignores_runtime_and_hardware_but_not_the_learning_rate():
    base = params.run_hash(defaults())
    runtime = defaults(pretrain={"checkpoint_every": 7, "log_every": 3, "workers": 5, "compile": True,
                                 "knn": {"every": 9}}, spectrogram={"batch_size": 5})
    hardware = defaults(pretrain={"device": "cuda", "gpus": 4, "sync_batchnorm": "torch"})
    assert params.run_hash(runtime) == params.run_hash(hardware) == base
    assert params.run_hash(defaults(pretrain={"lr": 0.123})) != base
    assert params.run_hash(defaults(seed=1)) != base and len(base) == 16


def test_rounds_learn_from_every_sample_reviewed_before_them(demo, tmp_path):
    """Round k's classifier learns from the samples reviewed in rounds 0 to k - 1."""
    inputs = params.Inputs(demo, is_demo=True)
    second = SimpleNamespace(sound="fish", dataset="deploy_reef", round="2")
    assert inputs.round_reviews(second) == [f"results/deploy/deploy_reef/round-{k}/review/fish/{kind}.reviewed.txt"
                                            for k in (0, 1) for kind in ("validation", "active")]
    assert inputs.earlier_here(second) == inputs.round_reviews(second)  # one deployment


def test_a_run_that_rewrote_the_data_check_says_to_run_again(tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.chdir(tmp_path)
    started = time.time()
    assert not params.data_check_reran(started)  # no data check yet
    summary = tmp_path / paths.CHECK_SUMMARY
    summary.parent.mkdir(parents=True)
    summary.write_text("{}")
    os.utime(summary, (started - 60, started - 60))
    assert not params.data_check_reran(started)  # from an earlier run
    os.utime(summary, (started + 1, started + 1))
    assert params.data_check_reran(started) and "run the same command once more" in params.DATA_CHECK_RERAN


def test_the_data_check_reads_only_what_stops_the_run_and_the_plan_the_rest(demo):
    assert set(params.data_needs(demo)) == {"test_size", "rare_classes"}
    plan = params.data_plan(demo)
    assert plan["pretraining"]["encoder"] == demo.pretrain.encoder and plan["shots"] == list(demo.evaluation.fewshot.shots)
