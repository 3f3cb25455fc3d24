"""Embedders on real reef recordings, and the synthetic demo."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from helpers import REPO, assert_within, dataset_spec, reduction_bound, row_difference
from reefclr.features import cache
from reefclr.data import demo, ingest
from reefclr import embedders

MARRS = REPO / "tests/data/marrs_sonotypes"
INPUT = {"image_size": 32, "scale": "power"}


@pytest.fixture(scope="module")
def marrs_cache(tmp_path_factory):
    """Folder-per-class ingest of real MARRS fish sounds -> cache."""
    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(**{"id": "test_marrs", "role": "test", "format": "folders", "path": ".", "label_from_folder": True,
            "site": None, "extensions": ["wav"], "shards": 1})
    seg = {"clip_s": 1.92, "hop_s": 1.92, "tail": "pad", "min_overlap": 0.5, "channel": "mean"}
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    spec_cfg = {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512,
                "batch_size": 4}
    cache.build_shard(manifest, 0, MARRS, spec_cfg, 1.92, "mean", out / "wave.npy", out / "mel.npy",
                      out / "index.parquet")
    return manifest, cache.CachedSet.open([out])


def test_marrs_ingest_reads_odd_names(marrs_cache):
    manifest, data = marrs_cache
    assert set(manifest.label) == {"grunt", "croak", "scrape"}
    assert any(s.endswith(".WAV") for s in manifest.source)
    assert len(data) == len(manifest) >= 6 * 3  # 5-7 s files -> 3-4 clips each
    assert np.isfinite(data.mels[0]).all() and data.mels[0].max() > 0


@pytest.mark.parametrize("name", ["random_init", "mel_stats"])
def test_embedders_on_real_audio(marrs_cache, name):
    _, data = marrs_cache
    cfg = {"random_init": {"model_input": INPUT, "encoder": "small_resnet", "width": 8, "seed": 0},
           "mel_stats": {"n_mels": 128}}[name]
    emb = embedders.load(name, cfg)
    table = embedders.embed_dataset(emb, data, batch_size=5)
    matrix = table.filter(regex=r"^e\d{4}$").to_numpy()
    assert matrix.shape == (len(data), emb.dim) and np.isfinite(matrix).all()
    assert matrix.std(axis=0).max() > 0
    again = embedders.embed_dataset(embedders.load(name, cfg), data, batch_size=7)
    # Another batch size may pick other convolution kernels: every layer's sums (at most 3 x 3 x
    # 4w = 288 terms) in another order; 14 layers.
    assert_within(row_difference(matrix, again.filter(regex=r"^e\d{4}$").to_numpy()),
                  reduction_bound(3 * 3 * 32, steps=14), f"{name}: batches of 5 vs 7 (worst clip)")


def test_embedding_leaves_weights_frozen(marrs_cache):
    _, data = marrs_cache
    emb = embedders.load("random_init",
                         {"model_input": INPUT, "encoder": "small_resnet", "width": 8, "seed": 0})
    before = {k: v.clone() for k, v in emb.encoder.state_dict().items()}
    embedders.embed_dataset(emb, data, batch_size=4)
    for k, v in emb.encoder.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_missing_reefclr_weights_say_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="enc.pt: ReefCLR encoder weights not found .run the pretrain_simclr"):
        embedders.load("reefclr", {"weights": str(tmp_path / "enc.pt"), "model_input": INPUT})


TINY_DEMO = dict(sample_rate=8000, pretrain_sites=2, pretrain_duration_s=4, test_recordings_per_class=1,
                 test_duration_s=12, bermuda_clips_per_class=4, deploy_sites=2, deploy_files_per_site=2,
                 deploy_duration_s=8)


def test_demo_is_deterministic_and_real_audio(tmp_path):
    a = demo.generate(tmp_path / "a", TINY_DEMO, seed=3)
    demo.generate(tmp_path / "b", TINY_DEMO, seed=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.wav"))
    assert len(files) == a["files"] == 2 + 3 * 2 + 2 * 2 + 7 * 4 + 2 * 2 + 2  # + deployment and queries
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    info = sf.info(str(tmp_path / "a" / "test_florida/audio" / Path(next(
        p for p in map(str, files) if "florida" in p)).name))
    assert info.samplerate == 16000 and info.subtype == "PCM_16"
    x, _ = sf.read(tmp_path / "a" / files[0])
    assert 1e-4 < np.sqrt(np.mean(x**2)) < 0.5
