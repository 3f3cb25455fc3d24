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
    assert "results/deploy/deploy_reef/detections/fish/summary.json" in targets
    assert "results/deploy/classifiers/fish.json" in targets and paths.LOSS_CURVE in targets  # reefclr is compared
    assert "results/figures/published_vs_reproduced.png" not in targets  # the demo reproduces nothing
    assert len(targets) == len(set(targets))


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
