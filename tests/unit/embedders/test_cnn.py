"""reefclr.embedders.cnn: ReefCLR, its random-init twin and ImageNet ResNet50 on the study's spectrogram image."""

import numpy as np
import pytest
import torch

import standins
from helpers import REPO, dataset_spec, defaults, segment, spectrogram
from reefclr import embedders
from reefclr.data import ingest
from reefclr.embedders.base import embed_dataset, sha256_file
from reefclr.features import cache
from reefclr.features.cachedset import CachedSet
from reefclr.settings import Audio


MARRS = REPO / "tests/data/marrs_sonotypes"


INPUT = {"image_size": 32, "scale": "power"}


SMALL = defaults(model_input=INPUT, pretrain={"encoder": "small_resnet", "width": 8})  # seed 0, 128 mels


@pytest.fixture(scope="module")
def marrs_cache(tmp_path_factory):
    """Folder-per-class ingest of real MARRS fish sounds -> cache."""
    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(**{"id": "test_marrs", "role": "test", "format": "folders", "path": ".", "label_from_folder": True,
            "site": None, "extensions": ["wav"], "shards": 1})
    seg = segment(tail="pad")
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    spec_cfg = spectrogram(batch_size=4)
    cache.build_shard(manifest, 0, Audio(str(MARRS), 1.92, "mean"), spec_cfg, cache.ShardFiles.in_dir(out))
    return manifest, CachedSet.open([out])


def test_embedding_leaves_weights_frozen(marrs_cache):
    _, data = marrs_cache
    emb = embedders.load("random_init", SMALL)
    before = {k: v.clone() for k, v in emb.encoder.state_dict().items()}
    embed_dataset(emb, data, batch_size=4)
    for k, v in emb.encoder.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_missing_reefclr_weights_say_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="enc.pt: ReefCLR encoder weights not found .run the pretrain_simclr"):
        embedders.load("reefclr", SMALL, str(tmp_path / "enc.pt"))


D = defaults(model_input={"image_size": 32, "scale": "power"})


def test_imagenet_resnet50_from_the_torch_hub_cache(marrs, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    path = standins.imagenet_checkpoint(tmp_path)
    emb = embedders.load("imagenet", D)
    assert emb.dim == 2048 and emb.weights_sha256 == sha256_file(path)
    table = embed_dataset(emb, marrs, batch_size=8)
    vectors = table.filter(regex=r"^e\d+$").to_numpy()
    assert vectors.shape == (len(marrs), 2048) and np.isfinite(vectors).all()
    assert (vectors.std(axis=0) > 0).any()  # clips differ
