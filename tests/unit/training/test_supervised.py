"""reefclr.training.supervised: the supervised ceiling on real reef recordings."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from helpers import defaults
from reefclr.training.supervised import SupervisedJob, build_model, class_weights, train_supervised


def test_class_weights_balance_the_loss():
    w = class_weights(np.array([0, 0, 0, 1]), 2)
    assert w.tolist() == pytest.approx([4 / 6, 4 / 2])


S = defaults(model_input={"image_size": 32}, spectrogram={"batch_size": 8}, supervised={
    "encoder": "small_resnet", "width": 4, "init": "random", "epochs": 3, "batch_size": 8, "lr": 0.01,
    "split": "stratified", "views": "device", "precision": "fp32"})
SUPERVISED = S.supervised


def job(init: str = "random", **supervised) -> SupervisedJob:
    """The supervised job of S (the RF split of test size 0.2, seed 0), ``supervised`` changed."""
    return replace(SupervisedJob.of(S, "supervised"), supervised=replace(SUPERVISED, **supervised), init=init)


def test_supervised_ceiling_on_the_rf_split(marrs, tmp_path):
    from sklearn.model_selection import train_test_split

    record, history = train_supervised(marrs, job(), None)
    labels = marrs.index["label"].to_numpy()
    _, test = train_test_split(np.arange(len(labels)), test_size=0.2, stratify=labels, random_state=0)
    assert record["n_test"] == len(test) and record["n_classes"] == 3
    assert {"test_f1", "train_f1", "test_accuracy"} <= set(record) and 0 <= record["test_f1"] <= 1
    assert list(history.epoch) == [1, 2, 3] and np.isfinite(history.loss).all()
    again, _ = train_supervised(marrs, job(), None)
    assert again == record  # seeded
    assert record["device"] == "cpu" and record["precision"] == "fp32"  # no GPU here: the CPU path ran


def test_supervised_as_the_study_ran_it(marrs):
    """The study's split (first 80% of each class in dataset order), its waveform augmentations."""
    from reefclr.training.supervised import study_split

    labels = marrs.index["label"].astype(str).to_numpy()
    order = marrs.index["entry"].to_numpy()
    train, test = study_split(labels, order, 0.2)
    for c in np.unique(labels):
        mine = np.flatnonzero(labels == c)
        ranked = mine[np.argsort(order[mine])]
        n_train = int(len(mine) * 0.8)
        assert set(train) & set(mine) == set(ranked[:n_train]) and set(test) & set(mine) == set(ranked[n_train:])
    record, history = train_supervised(marrs, job(split="study", views="waveform", epochs=1), None)
    assert record["split"] == "study" and record["n_test"] == len(test) and np.isfinite(history.loss).all()


def test_supervised_device_follows_the_config(marrs, monkeypatch):
    with pytest.raises(RuntimeError, match="supervised.device is 'cuda' but no CUDA device is visible"):
        train_supervised(marrs, job(device="cuda"), None)


def test_supervised_fine_tunes_the_reefclr_encoder(marrs, tmp_path):
    from reefclr.models.encoders import EncoderArgs, build_encoder

    encoder, dim = build_encoder(EncoderArgs("small_resnet", 4))
    torch.save(dict(encoder_args=EncoderArgs("small_resnet", 4).to_dict(), dim=dim, state_dict=encoder.state_dict(),
                    meta={}), tmp_path / "encoder.pt")
    model = build_model("reefclr", SUPERVISED, 3, str(tmp_path / "encoder.pt"))
    for name, value in encoder.state_dict().items():
        torch.testing.assert_close(model[0].state_dict()[name], value, msg=name)  # starts from ReefCLR
    assert model[1].out_features == 3
    record, _ = train_supervised(marrs, job("reefclr", epochs=1), str(tmp_path / "encoder.pt"))
    assert record["init"] == "reefclr" and record["n_classes"] == 3
