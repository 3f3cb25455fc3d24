"""SimCLR pretraining (reefclr.train): the loss falls, a stopped run resumes exactly, two
processes equal one, compiled and bf16 runs train like eager fp32."""

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import pretrain_cfg
from reefclr import train
from reefclr.models.encoders import EncoderArgs

TINY = pretrain_cfg(encoder="small_resnet", width=4, projection_dim=16, batch_size=6, steps=8, lr=0.3,
                    warmup_fraction=0.25, checkpoint_every=2, log_every=2, device="cpu")
INPUT = {"image_size": 32, "scale": "power"}


def test_resume_after_stop_equals_uninterrupted(cached, spec_cfg, tmp_path):
    _, dirs = cached
    full = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "a.pt", "h")
    part = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h", stop_after=5)
    assert part.history[-1]["step"] == 5
    resumed = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h")
    assert [s["start_step"] for s in resumed.sessions] == [0, 5]  # a stop writes a checkpoint
    assert [h["loss"] for h in resumed.history] == pytest.approx([h["loss"] for h in full.history])
    for (name, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        torch.testing.assert_close(a, b, msg=name)
    other = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "b.pt", "other-settings")
    assert other.sessions[-1]["start_step"] == 0 and len(other.sessions) == 1


def test_loss_decreases_on_fixed_batch(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = TINY | {"steps": 40, "batch_size": 12, "augment_p": 0.0, "crop_min_scale": 1.0, "lr": 1.0,
                  "checkpoint_every": 100}
    result = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "c.pt", "h")
    losses = pd.Series([h["loss"] for h in result.history])
    assert losses.tail(5).mean() < losses.head(5).mean()


def test_encoder_round_trip(cached, spec_cfg, tmp_path):
    from reefclr import embedders

    _, dirs = cached
    result = train.pretrain(dirs, TINY | {"steps": 2}, spec_cfg, INPUT, 0, tmp_path / "d.pt", "h")
    train.save_encoder(tmp_path / "enc.pt", result.model, {"note": "test"})
    emb = embedders.load("reefclr", {"weights": str(tmp_path / "enc.pt"), "model_input": INPUT})
    assert emb.dim == 32 and len(emb.weights_sha256) == 64
    assert EncoderArgs(**torch.load(tmp_path / "enc.pt", weights_only=False)["encoder_args"]).width == 4


def test_two_processes_equal_one(cached, spec_cfg, tmp_path):
    """torchrun, 2 gloo processes, each half of every batch: the losses and weights of one process.

    A small learning rate keeps the comparison about the parallelism: at TINY's 0.3 the 4-step
    run is chaotic (batch-norm scales triple) and float sums taken in another order grow to 1%.
    """
    _, dirs = cached
    cfg = TINY | {"steps": 4, "checkpoint_every": 100, "lr": 0.02}
    one = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "one.pt", "h")
    job = dict(shard_dirs=[str(d) for d in dirs], cfg=cfg | {"gpus": 2}, spec_cfg=spec_cfg, input_cfg=INPUT,
               seed=0, checkpoint_path=str(tmp_path / "two.pt"), run_hash="h", threads=2)
    two = train.launch(job, tmp_path / "job.json")
    assert two.sessions[-1]["processes"] == 2
    losses_one, losses_two = [h["loss"] for h in one.history], [h["loss"] for h in two.history]
    assert losses_two[0] == pytest.approx(losses_one[0], rel=1e-5)  # same views, same global batch norm
    assert losses_two == pytest.approx(losses_one, rel=1e-3)  # float sums in another order, 4 steps on
    for (name, a), (_, b) in zip(one.model.state_dict().items(), two.model.state_dict().items()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6, msg=name)


def test_waveform_training_resumes_exactly(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = TINY | {"views": "waveform", "workers": 1, "steps": 4}
    full = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "a.pt", "h")
    train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h", stop_after=2)
    resumed = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h")
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in full.history]
    assert all(0 <= h["data_wait_fraction"] <= 1 and h["images_per_s"] > 0 for h in full.history)


def test_compiled_model_trains_like_eager(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = TINY | {"steps": 2}
    eager = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "e.pt", "h")
    compiled = train.pretrain(dirs, cfg | {"compile": True}, spec_cfg, INPUT, 0, tmp_path / "c.pt", "h")
    assert [h["loss"] for h in compiled.history] == pytest.approx([h["loss"] for h in eager.history], rel=1e-3)


def test_bf16_autocast_on_cpu_trains_close_to_fp32(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = TINY | {"steps": 2}
    fp32 = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "f.pt", "h")
    bf16 = train.pretrain(dirs, cfg | {"precision": "bf16"}, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h")
    assert fp32.sessions[-1]["precision"] == "fp32" and bf16.sessions[-1]["precision"] == "bf16"
    assert bf16.history[0]["loss"] == pytest.approx(fp32.history[0]["loss"], rel=0.05)  # same weights, bf16 forward
    assert np.isfinite([h["loss"] for h in bf16.history]).all()
