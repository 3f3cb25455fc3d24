"""reefclr.training.devices: device choice and clear failures before training, with simulated GPUs."""

import pytest
import torch

from reefclr.training import devices


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
