"""The GPU path on a machine without one: device choice, clear failures before training
(simulated device counts, capabilities and bf16 support), the batch-norm switch, and CPU
counts that agree between the presets and the SLURM profile."""

import pytest
import torch
import yaml
from helpers import REPO, pretrain_cfg, workflow_config
from reefclr.training import devices, train
from reefclr.config import pretrain_cpus
from reefclr.training.distributed import GlobalBatchNorm, convert_batchnorm
from reefclr.models.encoders import EncoderArgs, build_encoder


@pytest.fixture
def fake_gpus(monkeypatch):
    """Pretend CUDA is there: ``set(count, capability, bf16, archs)``."""
    def set_(count=1, capability=(9, 0), bf16=True, archs=("sm_75", "sm_80", "sm_90", "sm_100", "sm_120")):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda i=0: capability)
        monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: f"Fake GPU {capability[0]}.{capability[1]}")
        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
        monkeypatch.setattr(torch.cuda, "get_arch_list", lambda: list(archs))
    return set_


def test_cuda_asked_without_a_visible_gpu_names_the_build_and_the_fix(fake_gpus):
    fake_gpus(count=0)
    with pytest.raises(RuntimeError) as err:
        devices.pick_device("cuda", "supervised.device")
    text = str(err.value)
    assert "supervised.device is 'cuda' but no CUDA device is visible" in text
    assert "driver 580" in text and "CUDA 12.6 wheel index" in text and "supervised.device: cpu" in text
    assert devices.pick_device("auto").type == "cpu"


def test_fewer_gpus_than_asked_fails_before_any_process_starts(fake_gpus):
    fake_gpus(count=1)
    with pytest.raises(RuntimeError, match=r"pretrain.gpus is 2 but only 1 CUDA device\(s\) are visible"):
        devices.check_cuda(2, bf16=False)
    devices.check_cuda(1, bf16=True)  # one H100-like GPU: fine


def test_a_gpu_the_build_has_no_kernels_for(fake_gpus):
    fake_gpus(capability=(7, 0))  # a V100 under a CUDA 13 build
    with pytest.raises(RuntimeError, match=r"GPU 0 \(Fake GPU 7.0\) has compute capability 7.0, which this torch "
                                           r"build has no kernels for"):
        devices.check_cuda(1, bf16=False)
    fake_gpus(capability=(8, 6), archs=("sm_80", "compute_80"))  # PTX of 8.0 serves 8.6
    devices.check_cuda(1, bf16=False)


def test_bf16_on_a_gpu_without_it(fake_gpus):
    fake_gpus(capability=(7, 5), bf16=False)
    with pytest.raises(RuntimeError, match=r"supervised.precision asks for bf16 but GPU 0 .* has no native bf16"):
        devices.check_cuda(1, bf16=True, key="supervised")


def test_launch_checks_the_gpu_count_before_torchrun(fake_gpus, tmp_path):
    fake_gpus(count=1)
    job = dict(cfg=pretrain_cfg(device="cuda", gpus=2, precision="fp32"), checkpoint_path=str(tmp_path / "c.pt"),
               threads=1)
    with pytest.raises(RuntimeError, match="pretrain.gpus is 2 but only 1"):
        train.launch(job, tmp_path / "job.json")
    assert not (tmp_path / "job.json").exists()  # stopped before writing the torchrun job


def test_batchnorm_switch():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert train.batchnorm_kind(pretrain_cfg(sync_batchnorm="auto"), cpu) == "global"
    assert train.batchnorm_kind(pretrain_cfg(sync_batchnorm="auto"), cuda) == "torch"
    with pytest.raises(ValueError, match="sync_batchnorm: torch needs CUDA"):
        train.batchnorm_kind(pretrain_cfg(sync_batchnorm="torch"), cpu)
    for kind, cls in (("torch", torch.nn.SyncBatchNorm), ("global", GlobalBatchNorm)):
        encoder, _ = build_encoder(EncoderArgs("small_resnet", 4))
        weights = {k: v.clone() for k, v in encoder.state_dict().items()}
        converted = convert_batchnorm(encoder, kind)
        norms = [m for m in converted.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        assert norms and all(isinstance(m, cls) for m in norms)
        for name, value in converted.state_dict().items():  # same parameters and buffers
            torch.testing.assert_close(value, weights[name])


@pytest.mark.parametrize("presets", [(), ("config.yaml", "presets/ci.yaml"), ("presets/paper.yaml",),
                                     ("presets/paper.yaml", "presets/paper_as_run.yaml")])
def test_pretraining_cpus_follow_the_view_workers_in_every_preset(presets):
    """The SLURM profile leaves pretrain_simclr's CPUs to the rule (threads and cpus_per_task:
    rules/pretrain.smk), one per waveform-view worker of each process plus the trainer."""
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert "cpus_per_task" not in profile["set-resources"]["pretrain_simclr"]
    p = workflow_config(*presets)["pretrain"]
    cpus = pretrain_cpus(p)
    if p["views"] == "waveform":
        assert cpus == p["workers"] * max(1, p["gpus"]) + 1
    else:
        assert cpus == 8
    assert profile["set-resources"]["train_supervised"]["runtime"] >= 600  # 100 ResNet50 epochs
    rule = (REPO / "rules/pretrain.smk").read_text()
    assert 'threads: pretrain_cpus(config["pretrain"])' in rule
    assert 'cpus_per_task=pretrain_cpus(config["pretrain"])' in rule
