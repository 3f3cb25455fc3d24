"""reefclr.training.train: the loss falls, a stopped run resumes exactly, 2 processes equal 1, compile and bf16."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from helpers import (UBF16, assert_within, defaults, pretrain_cfg, pretrain_job, reduction_bound, relative_difference,
                     spectrogram)
from reefclr.models.encoders import EncoderArgs
from reefclr.settings import ModelInput
from reefclr.training import train


TINY = pretrain_cfg(encoder="small_resnet", width=4, projection_dim=16, batch_size=6, steps=8, lr=0.3,
                    warmup_fraction=0.25, checkpoint_every=2, log_every=2, device="cpu")


INPUT = ModelInput(32, "power")


# The longest reduction of a TINY step: the stem's batch norm over 2 views x 6 clips x 16 x 16
# positions. Summed in another order, one step's loss and gradients move by at most this
# relative amount (see helpers.reduction_bound); a forward and a backward pass make two.
TERMS = 2 * 6 * 16 * 16


def test_resume_after_stop_equals_uninterrupted(cached, spec_cfg, tmp_path):
    _, dirs = cached
    full = train.pretrain(pretrain_job(dirs, TINY, spec_cfg, INPUT, tmp_path / "a.pt", "h"))
    part = train.pretrain(pretrain_job(dirs, TINY, spec_cfg, INPUT, tmp_path / "b.pt", "h"), stop_after=5)
    assert part.history[-1]["step"] == 5
    resumed = train.pretrain(pretrain_job(dirs, TINY, spec_cfg, INPUT, tmp_path / "b.pt", "h"))
    assert [s["start_step"] for s in resumed.sessions] == [0, 5]  # a stop writes a checkpoint
    # The same kernels on the same data in the same order, from an exact copy of the state:
    # equal, not merely close (any difference would be a resume bug, not rounding).
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in full.history]
    for (name, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        assert torch.equal(a, b), name
    other = train.pretrain(pretrain_job(dirs, TINY, spec_cfg, INPUT, tmp_path / "b.pt", "other-settings"))
    assert other.sessions[-1]["start_step"] == 0 and len(other.sessions) == 1


def test_loss_decreases_on_fixed_batch(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = replace(TINY, steps=40, batch_size=12, augment_p=0.0, crop_min_scale=1.0, lr=1.0,
                  checkpoint_every=100)
    result = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "c.pt", "h"))
    losses = pd.Series([h["loss"] for h in result.history])
    assert losses.tail(5).mean() < losses.head(5).mean()


def test_encoder_round_trip(cached, spec_cfg, tmp_path):
    from reefclr import embedders

    _, dirs = cached
    result = train.pretrain(pretrain_job(dirs, replace(TINY, steps=2), spec_cfg, INPUT, tmp_path / "d.pt", "h"))
    train.save_encoder(tmp_path / "enc.pt", result.model, {"note": "test"})
    emb = embedders.load("reefclr", defaults(model_input=INPUT.to_dict()), str(tmp_path / "enc.pt"))
    assert emb.dim == 32 and len(emb.weights_sha256) == 64
    assert EncoderArgs(**torch.load(tmp_path / "enc.pt", weights_only=False)["encoder_args"]).width == 4


def test_two_processes_equal_one(cached, spec_cfg, tmp_path):
    """torchrun, 2 gloo processes, each half of every batch: the losses and weights of one process.

    A small learning rate keeps the comparison about the parallelism: at TINY's 0.3 the 4-step
    run is chaotic (batch-norm scales triple) and float sums taken in another order grow to 1%.
    """
    _, dirs = cached
    cfg = replace(TINY, steps=4, checkpoint_every=100, lr=0.02)
    one = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "one.pt", "h"))
    job = pretrain_job(dirs, replace(cfg, gpus=2), spec_cfg, INPUT, tmp_path / "two.pt", threads=2)
    two = train.launch(job, tmp_path / "job.json")
    assert two.sessions[-1]["processes"] == 2
    losses_one, losses_two = [h["loss"] for h in one.history], [h["loss"] for h in two.history]
    # Same views and a global batch norm: only the order of the sums differs (per-process partial
    # sums, gloo's all-reduce). The first loss is one forward pass; after 4 steps, 4 forward and 4
    # backward passes have each moved the weights by at most their own rounding.
    assert_within(relative_difference(losses_one[0], losses_two[0]), reduction_bound(TERMS), "2 processes: loss 1")
    bound = reduction_bound(TERMS, steps=2 * 4)
    assert_within(relative_difference(losses_one, losses_two), bound, "2 processes: losses of 4 steps")
    worst = max(relative_difference(a, b) for a, b in zip(one.model.state_dict().values(),
                                                            two.model.state_dict().values(), strict=True)
                if a.is_floating_point())
    assert_within(worst, bound, "2 processes: weights after 4 steps (worst tensor, in norm)")


def test_waveform_training_resumes_exactly(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = replace(TINY, views="waveform", workers=1, steps=4)
    full = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "a.pt", "h"))
    train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "b.pt", "h"), stop_after=2)
    resumed = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "b.pt", "h"))
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in full.history]
    assert all(0 <= h["data_wait_fraction"] <= 1 and h["images_per_s"] > 0 for h in full.history)


def test_compiled_model_trains_like_eager(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = replace(TINY, steps=2)
    eager = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "e.pt", "h"))
    compiled = train.pretrain(pretrain_job(dirs, replace(cfg, compile=True), spec_cfg, INPUT, tmp_path / "c.pt", "h"))
    # Inductor fuses and reorders the same sums: 2 steps, each a forward and a backward pass.
    assert_within(relative_difference([h["loss"] for h in eager.history], [h["loss"] for h in compiled.history]),
                  reduction_bound(TERMS, steps=2 * 2), "torch.compile: losses of 2 steps")


def test_bf16_autocast_on_cpu_trains_close_to_fp32(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = replace(TINY, steps=2)
    fp32 = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "f.pt", "h"))
    bf16 = train.pretrain(pretrain_job(dirs, replace(cfg, precision="bf16"), spec_cfg, INPUT, tmp_path / "b.pt", "h"))
    assert fp32.sessions[-1]["precision"] == "fp32" and bf16.sessions[-1]["precision"] == "bf16"
    # The first loss: the same weights, a forward pass whose every convolution and linear layer
    # rounds its output to bf16 (relative error at most 2**-8 each, added up over the layers).
    layers = sum(isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) for m in fp32.model.modules())
    assert_within(relative_difference(fp32.history[0]["loss"], bf16.history[0]["loss"]), layers * UBF16,
                  f"bf16 autocast: loss 1 ({layers} layers)")
    assert np.isfinite([h["loss"] for h in bf16.history]).all()


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


def test_launch_checks_the_gpu_count_before_torchrun(fake_gpus, tmp_path):
    fake_gpus(count=1)
    job = pretrain_job([], pretrain_cfg(device="cuda", gpus=2, precision="fp32"), spectrogram(), defaults().model_input,
                       tmp_path / "c.pt")
    with pytest.raises(RuntimeError, match="pretrain.gpus is 2 but only 1"):
        train.launch(job, tmp_path / "job.json")
    assert not (tmp_path / "job.json").exists()  # stopped before writing the torchrun job


def test_event_rich_selection_and_mixup_train_on_what_they_chose(cached, spec_cfg, tmp_path):
    from reefclr.settings import Select

    _, dirs = cached
    n = sum(1 for d in dirs for _ in np.load(f"{d}/mel.npy", mmap_mode="r"))
    cfg = replace(TINY, steps=2, select=Select("flux", 0.5), mixup=0.4)
    result = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "s.pt", "h"))
    clips = result.sessions[-1]["clips"]
    assert clips["of"] == n and clips["kept"] == round(n / 2) and clips["by"] == "flux"
    assert sum(s["kept"] for s in clips["per_site"]) == clips["kept"]
    assert np.isfinite([h["loss"] for h in result.history]).all()
    waveform = train.pretrain(pretrain_job(dirs, replace(cfg, views="waveform", workers=0), spec_cfg, INPUT,
                                           tmp_path / "w.pt", "h"))
    assert waveform.sessions[-1]["clips"]["kept"] == clips["kept"]
