"""Fixtures shared by the tests, and the `slow` marker."""

import pytest
import torchvision  # noqa: F401  (torchvision loaded after TensorFlow in one process segfaults)

import helpers  # noqa: F401  (puts workflow_scripts on sys.path)
from helpers import REPO, dataset_spec, write_tone

MARRS = REPO / "tests/data/marrs_sonotypes"
MARRS_SPEC = {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512, "batch_size": 8}


SLOW_MODULES = {"test_end_to_end", "test_paper_presets", "test_slurm", "test_pretrain_rule", "test_own_data",
                "test_explorer_browser"}


def pytest_collection_modifyitems(items):
    """Workflow tests that run Snakemake for real are `slow`; `make test-fast` skips them."""
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def segment_cfg() -> dict:
    return {"clip_s": 1.92, "hop_s": 1.92, "tail": "drop", "min_overlap": 0.5, "channel": "mean"}


@pytest.fixture
def spec_cfg() -> dict:
    return {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512, "batch_size": 8}


@pytest.fixture
def cached(tmp_path, segment_cfg, spec_cfg):
    """Three sites of tones -> a two-shard pretraining cache."""
    from reefclr.features import cache
    from reefclr.data import ingest

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


@pytest.fixture(scope="session")
def marrs(tmp_path_factory):
    """Real MARRS fish sounds (16 kHz files, a folder per sound type) -> a one-shard cache."""
    from reefclr.features import cache
    from reefclr.data import ingest

    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(id="test_marrs", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    seg = {"clip_s": 1.92, "hop_s": 1.92, "tail": "pad", "min_overlap": 0.5, "channel": "mean"}
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    cache.build_shard(manifest, 0, MARRS, MARRS_SPEC, 1.92, "mean", out / "wave.npy", out / "mel.npy",
                      out / "index.parquet")
    return cache.CachedSet.open([out])
