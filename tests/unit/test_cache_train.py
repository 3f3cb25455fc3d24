"""Cache build on real audio files, SimCLR training, and resume after a stop."""

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import dataset_spec, write_tone
from reefclr import cache, ingest, train
from reefclr.models.encoders import EncoderArgs


@pytest.fixture
def cached(tmp_path, segment_cfg, spec_cfg):
    for s in range(3):
        write_tone(tmp_path / "data" / f"site{s}" / "rec.wav", sr=16000, seconds=12, freq=200 + 300 * s, seed=s)
    spec = dataset_spec(**{"id": "pretrain", "role": "pretrain", "format": "folders", "path": ".", "label_from_folder": False,
            "site": None, "extensions": ["wav"], "shards": 2})
    manifest, _ = ingest.build_manifest(spec, tmp_path / "data", segment_cfg)
    dirs = []
    for shard in range(2):
        d = tmp_path / "cache" / f"shard-{shard}"
        cache.build_shard(manifest, shard, tmp_path / "data", spec_cfg, 1.92, "mean",
                          d / "wave.npy", d / "mel.npy", d / "index.parquet")
        dirs.append(d)
    return manifest, dirs


def test_cache_shards_hold_every_clip_once(cached, spec_cfg):
    manifest, dirs = cached
    data = cache.CachedSet.open(dirs)
    assert sorted(data.index.clip_id) == sorted(manifest.clip_id)
    assert data.mels[0].dtype == np.float32 and data.mels[0].shape[1:] == (128, 241)
    pos = np.array([len(data) - 1, 0, 3])
    mel = data.mel(pos)
    for k, p in enumerate(pos):
        row = data.index.iloc[p]
        np.testing.assert_array_equal(mel[k], data.mels[row.shard_pos][row.row])
    assert not list((dirs[0]).glob("*.tmp"))


TINY = dict(encoder="small_resnet", width=4, projection_dim=16, temperature=0.1, batch_size=6, steps=8, lr=0.3,
            weight_decay=1e-6, momentum=0.9, trust_coefficient=0.001, warmup_fraction=0.25, checkpoint_every=2,
            log_every=2, crop_min_scale=0.6, augment_p=0.5, device="cpu", gpus=0, version=1)
INPUT = {"image_size": 32, "scale": "power"}


def test_resume_after_stop_equals_uninterrupted(cached, spec_cfg, tmp_path):
    _, dirs = cached
    full = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "a.pt", "h")
    part = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h", stop_after=5)
    assert part.history[-1]["step"] == 5
    resumed = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h")
    assert resumed.resumed_from == 5  # a stop writes a checkpoint
    assert [h["loss"] for h in resumed.history] == pytest.approx([h["loss"] for h in full.history])
    for (name, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        torch.testing.assert_close(a, b, msg=name)
    other = train.pretrain(dirs, TINY, spec_cfg, INPUT, 0, tmp_path / "b.pt", "other-settings")
    assert other.resumed_from == 0


def test_loss_decreases_on_fixed_batch(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = TINY | {"steps": 40, "batch_size": 12, "augment_p": 0.0, "crop_min_scale": 1.0, "lr": 1.0,
                  "checkpoint_every": 100}
    result = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "c.pt", "h")
    losses = pd.Series([h["loss"] for h in result.history])
    assert losses.tail(5).mean() < losses.head(5).mean()


def test_batch_indices_cover_each_epoch():
    seen = np.concatenate([train.batch_indices(s, 10, 3, 0) for s in range(3)])
    assert len(set(seen)) == 9
    assert not np.array_equal(train.batch_indices(0, 10, 3, 0), train.batch_indices(3, 10, 3, 0))


def test_encoder_round_trip(cached, spec_cfg, tmp_path):
    from reefclr import embedders

    _, dirs = cached
    result = train.pretrain(dirs, TINY | {"steps": 2}, spec_cfg, INPUT, 0, tmp_path / "d.pt", "h")
    train.save_encoder(tmp_path / "enc.pt", result.model, {"note": "test"})
    emb = embedders.load("reefclr", weights=str(tmp_path / "enc.pt"), cfg={"model_input": INPUT})
    assert emb.dim == 32 and len(emb.weights_sha256) == 64
    assert EncoderArgs(**torch.load(tmp_path / "enc.pt", weights_only=False)["encoder_args"]).width == 4
