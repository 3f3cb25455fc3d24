"""Cache build on real audio files, SimCLR training, and resume after a stop."""

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import dataset_spec, pretrain_cfg, write_tone
from reefclr import cache, ingest, train, views
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


def test_batch_indices_cover_each_epoch():
    seen = np.concatenate([views.batch_indices(s, 10, 3, 0) for s in range(3)])
    assert len(set(seen)) == 9
    assert not np.array_equal(views.batch_indices(0, 10, 3, 0), views.batch_indices(3, 10, 3, 0))


def test_encoder_round_trip(cached, spec_cfg, tmp_path):
    from reefclr import embedders

    _, dirs = cached
    result = train.pretrain(dirs, TINY | {"steps": 2}, spec_cfg, INPUT, 0, tmp_path / "d.pt", "h")
    train.save_encoder(tmp_path / "enc.pt", result.model, {"note": "test"})
    emb = embedders.load("reefclr", weights=str(tmp_path / "enc.pt"), cfg={"model_input": INPUT})
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


def test_study_waveform_augmentations():
    from audiomentations import AddGaussianNoise, ClippingDistortion, Gain, PitchShift, TimeStretch

    chain = views.study_augment(0.5, "librosa_phase_vocoder")
    kinds = {type(t): t for t in chain.transforms}
    assert list(kinds) == [AddGaussianNoise, PitchShift, TimeStretch, ClippingDistortion, Gain]
    assert all(t.p == 0.5 for t in chain.transforms)
    assert (kinds[AddGaussianNoise].min_amplitude, kinds[AddGaussianNoise].max_amplitude) == (1e-4, 5e-4)
    assert (kinds[PitchShift].min_semitones, kinds[PitchShift].max_semitones) == (-2, 12)
    assert (kinds[TimeStretch].min_rate, kinds[TimeStretch].max_rate) == (0.8, 1.25)
    assert kinds[TimeStretch].leave_length_unchanged
    clip = kinds[ClippingDistortion]
    assert (clip.min_percentile_threshold, clip.max_percentile_threshold) == (0, 5)
    assert (kinds[Gain].min_gain_db, kinds[Gain].max_gain_db) == (-10, 5)


def test_waveform_views_are_seeded_per_clip(cached, spec_cfg):
    from reefclr.distributed import Group

    _, dirs = cached
    dirs = [str(d) for d in dirs]
    from reefclr.spectrogram import MelSpectrogram

    steps = views.WaveformSteps(dirs, 6, 0, spec_cfg, 1.0, "signalsmith_stretch", Group())
    a, b = steps[3], steps[3]
    assert a.shape == (2, 6, int(1.92 * 8000))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a[0], a[1])  # two different views
    half = views.WaveformSteps(dirs, 6, 0, spec_cfg, 1.0, "signalsmith_stretch", Group(rank=1, world=2))[3]
    torch.testing.assert_close(half, a[:, 3:])  # a process's slice is the one-process views of its clips
    plain = views.WaveformSteps(dirs, 6, 0, spec_cfg, 0.0, "signalsmith_stretch", Group())[3]
    data = cache.CachedSet.open(dirs)
    cached_mel = torch.from_numpy(data.mel(views.batch_indices(3, len(data), 6, 0)))
    mel = MelSpectrogram.from_config(spec_cfg)(plain[0])  # the training device computes the mel in batch
    torch.testing.assert_close(mel, cached_mel, rtol=1e-4, atol=1e-6)  # p=0: the cache's mel


def test_waveform_training_resumes_exactly(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = TINY | {"views": "waveform", "workers": 1, "steps": 4}
    full = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "a.pt", "h")
    train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h", stop_after=2)
    resumed = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "b.pt", "h")
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in full.history]
    assert all(0 <= h["data_wait_fraction"] <= 1 and h["images_per_s"] > 0 for h in full.history)


def test_knn_accuracy_matches_hand_count():
    from reefclr.knn import knn_accuracy

    train_x = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    train_y = np.array(["a", "a", "b", "b"])
    test_x = np.array([[1, 0.2], [0.2, 1], [0.6, 0.5]])
    # k=1: nearest by angle -> a, b, a; the third is labelled b: 2 of 3 right
    assert knn_accuracy(train_x, train_y, test_x, np.array(["a", "b", "b"]), k=1) == pytest.approx(2 / 3)
    assert knn_accuracy(train_x, train_y, test_x, np.array(["a", "b", "a"]), k=1) == 1.0


def test_online_knn_check_is_logged(cached, spec_cfg, segment_cfg, tmp_path):
    _, dirs = cached
    spec = dataset_spec(id="test_sites", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    manifest, _ = ingest.build_manifest(spec, tmp_path / "data", segment_cfg)
    d = tmp_path / "knn" / "shard-0"
    cache.build_shard(manifest, 0, tmp_path / "data", spec_cfg, 1.92, "mean", d / "wave.npy", d / "mel.npy",
                      d / "index.parquet")
    cfg = TINY | {"steps": 4, "knn": {"dataset": "test_sites", "every": 2, "k": 3}}
    result = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / "k.pt", "h", knn_shard_dirs=[str(d)])
    acc = [h["knn_accuracy"] for h in result.history]
    assert np.isnan(acc[0]) and np.isnan(acc[2])
    assert acc[1] > 0.5 and acc[3] > 0.5  # three tones 300 Hz apart: chance is 1/3


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


def test_knn_check_leaves_out_small_classes_and_never_stops_training(cached, spec_cfg, segment_cfg, tmp_path):
    """A class of one clip is left out of the monitor; with one usable class it turns off, and
    training runs to the end either way, the model card saying so."""
    from reefclr.knn import MIN_CLIPS

    _, dirs = cached
    spec = dataset_spec(id="test_sites", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    manifest, _ = ingest.build_manifest(spec, tmp_path / "data", segment_cfg)
    counts = manifest.label.value_counts()
    rare = counts.index[0]
    keep_one = manifest[manifest.label == rare].index[:1]
    shrunk = manifest.drop(manifest[manifest.label == rare].index.difference(keep_one))  # 'rare': 1 clip
    only_one_class = manifest[manifest.label == rare].iloc[:MIN_CLIPS + 1]
    cfg = TINY | {"steps": 2, "knn": {"dataset": "test_sites", "every": 1, "k": 3}}
    for name, table in (("shrunk", shrunk), ("single", only_one_class)):
        d = tmp_path / name / "shard-0"
        cache.build_shard(table.assign(shard=0), 0, tmp_path / "data", spec_cfg, 1.92, "mean", d / "wave.npy",
                          d / "mel.npy", d / "index.parquet")
        result = train.pretrain(dirs, cfg, spec_cfg, INPUT, 0, tmp_path / f"{name}.pt", "h", knn_shard_dirs=[str(d)])
        assert len(result.history) == 2  # trained to the end
        note = result.sessions[-1]["knn_check"]
        acc = [h["knn_accuracy"] for h in result.history]
        if name == "shrunk":
            assert f"'{rare}': 1" in note and np.isfinite(acc).all()
        else:
            assert note.startswith("k-NN check off") and np.isnan(acc).all()
