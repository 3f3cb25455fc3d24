"""reefclr.training.knn: the online k-NN check of the encoder during pretraining."""

from dataclasses import replace

import numpy as np
import pytest

from helpers import dataset_spec, pretrain_cfg, pretrain_job
from reefclr.data import ingest
from reefclr.features import cache
from reefclr.settings import Audio, Knn, ModelInput
from reefclr.training import train


TINY = pretrain_cfg(encoder="small_resnet", width=4, projection_dim=16, batch_size=6, steps=8, lr=0.3,
                    warmup_fraction=0.25, checkpoint_every=2, log_every=2, device="cpu")
INPUT = ModelInput(32, "power")


def test_knn_accuracy_matches_hand_count():
    from reefclr.training.knn import knn_accuracy

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
    cache.build_shard(manifest, 0, Audio(str(tmp_path / "data"), 1.92, "mean"), spec_cfg, cache.ShardFiles(d / "wave.npy", d / "mel.npy", d / "index.parquet"))
    cfg = replace(TINY, steps=4, knn=Knn("test_sites", 3, every=2))
    result = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "k.pt", knn_shard_dirs=(str(d),)))
    acc = [h["knn_accuracy"] for h in result.history]
    assert np.isnan(acc[0]) and np.isnan(acc[2])
    assert acc[1] > 0.5 and acc[3] > 0.5  # three tones 300 Hz apart: chance is 1/3


def test_knn_check_leaves_out_small_classes_and_never_stops_training(cached, spec_cfg, segment_cfg, tmp_path):
    """A class of one clip is left out of the monitor; with one usable class it turns off, and
    training runs to the end either way, the model card saying so."""
    from reefclr.training.knn import MIN_CLIPS

    _, dirs = cached
    spec = dataset_spec(id="test_sites", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    manifest, _ = ingest.build_manifest(spec, tmp_path / "data", segment_cfg)
    counts = manifest.label.value_counts()
    rare = counts.index[0]
    keep_one = manifest[manifest.label == rare].index[:1]
    shrunk = manifest.drop(manifest[manifest.label == rare].index.difference(keep_one))  # 'rare': 1 clip
    only_one_class = manifest[manifest.label == rare].iloc[:MIN_CLIPS + 1]
    cfg = replace(TINY, steps=2, knn=Knn("test_sites", 3, every=1))
    for name, table in (("shrunk", shrunk), ("single", only_one_class)):
        d = tmp_path / name / "shard-0"
        cache.build_shard(table.assign(shard=0), 0, Audio(str(tmp_path / "data"), 1.92, "mean"), spec_cfg, cache.ShardFiles(d / "wave.npy", d / "mel.npy", d / "index.parquet"))
        result = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / f"{name}.pt",
                                             knn_shard_dirs=(str(d),)))
        assert len(result.history) == 2  # trained to the end
        note = result.sessions[-1]["knn_check"]
        acc = [h["knn_accuracy"] for h in result.history]
        if name == "shrunk":
            assert f"'{rare}': 1" in note and np.isfinite(acc).all()
        else:
            assert note.startswith("k-NN check off") and np.isnan(acc).all()
