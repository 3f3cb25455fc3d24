"""reefclr.settings: frozen records of the validated config; result() is the params, runtime_keys() the rest."""

import dataclasses

import pytest

from helpers import workflow_config
from reefclr import settings
from reefclr.settings import Settings, Spectrogram

RUNTIME = ["spectrogram.batch_size", "pretrain.knn.every", "pretrain.checkpoint_every", "pretrain.log_every",
           "pretrain.workers", "pretrain.compile", "embed.batch_size", "deploy.batch_size"]


@pytest.fixture(scope="module")
def demo():
    config = workflow_config()
    return config, Settings.from_config(config)


def test_records_of_a_validated_config_are_frozen(demo):
    config, s = demo
    assert s == settings.load(config)
    assert s.pretrain.encoder == config["pretrain"]["encoder"] and s.seed == config["seed"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.pretrain.lr = 1.0
    assert isinstance(s.embed.embedders, tuple) and isinstance(s.data.datasets, tuple)  # lists frozen to tuples
    assert isinstance(s.data.datasets[0], settings.Dataset)
    assert isinstance(s.deploy.classifiers["fish"], settings.Classifier)
    assert s.to_dict()["embed"]["embedders"] == config["embed"]["embedders"]  # back to plain lists


def test_result_leaves_out_the_runtime_fields_and_keeps_hardware(demo):
    config, s = demo
    assert s.spectrogram.result() == {k: v for k, v in config["spectrogram"].items() if k != "batch_size"}
    pretrain = s.pretrain.result()
    assert not {"checkpoint_every", "log_every", "workers", "compile"} & set(pretrain)
    assert "every" not in pretrain["knn"] and pretrain["knn"]["k"] == config["pretrain"]["knn"]["k"]
    assert {"device", "gpus", "sync_batchnorm"} <= set(pretrain)  # hardware: in params
    assert "batch_size" not in s.embed.result() and "batch_size" not in s.deploy.result()
    assert s.to_dict()["spectrogram"]["batch_size"] == config["spectrogram"]["batch_size"]


def test_runtime_keys_list_exactly_the_runtime_settings(demo):
    _, s = demo
    assert Settings.runtime_keys() == RUNTIME
    for key in RUNTIME:
        s.value(key)  # each a real setting
    assert Spectrogram.runtime_keys() == ["spectrogram.batch_size"]


def test_values_the_audio_and_the_errors(demo):
    config, s = demo
    assert s.value("pretrain.knn.k") == config["pretrain"]["knn"]["k"]
    assert s.value("embed.embedders") == config["embed"]["embedders"]
    assert s.audio == settings.Audio(config["data"]["root"], config["segment"]["clip_s"], config["segment"]["channel"])
    assert s.data.ids("deploy") == ["deploy_reef"] and s.data.dataset("deploy_reef").hop_s == 1.92
    with pytest.raises(KeyError, match="no dataset 'test_mars'; datasets: "):
        s.data.dataset("test_mars")
    partial = {k: v for k, v in config["spectrogram"].items() if k != "n_mels"}
    with pytest.raises(KeyError, match=r"spectrogram: no 'n_mels' \(is the config validated\?\)"):
        Spectrogram.from_config(partial)
