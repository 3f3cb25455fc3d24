"""reefclr.settings.features: the cache's mel spectrogram and the network's input."""

import pytest

from reefclr.settings import ModelInput, Spectrogram


def test_the_spectrograms_batch_size_is_runtime(demo):
    config, s = demo
    assert s.spectrogram.result() == {k: v for k, v in config["spectrogram"].items() if k != "batch_size"}
    assert s.to_dict()["spectrogram"]["batch_size"] == config["spectrogram"]["batch_size"]
    assert Spectrogram.runtime_keys() == ["spectrogram.batch_size"]
    assert s.model_input == ModelInput.from_config(config["model_input"]) and ModelInput.runtime_keys() == []


def test_a_partial_section_is_refused():
    with pytest.raises(KeyError, match=r"spectrogram: no 'n_mels' \(is the config validated\?\)"):
        Spectrogram.from_config({"sample_rate": 8000})
