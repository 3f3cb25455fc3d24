"""Fixtures shared by the tests, and the `slow` marker."""

import pytest
import torchvision  # noqa: F401  (torchvision loaded after TensorFlow in one process segfaults)

import helpers  # noqa: F401  (puts workflow_scripts on sys.path)
from helpers import REPO, dataset_spec, segment, spectrogram, write_tone

MARRS = REPO / "tests/data/marrs_sonotypes"
MARRS_SPEC = spectrogram(batch_size=8)  # the study's mel at 8 kHz


SLOW_MODULES = {"test_end_to_end", "test_paper_presets", "test_slurm", "test_pretrain_rule", "test_own_data",
                "test_explorer_browser"}


def pytest_collection_modifyitems(items):
    """Workflow tests that run Snakemake for real are `slow`; `make test-fast` skips them."""
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def segment_cfg():
    return segment(tail="drop")


@pytest.fixture
def spec_cfg():
    return spectrogram(batch_size=8)


def audio(root, clip_s: float = 1.92):
    from reefclr.settings import Audio

    return Audio(str(root), clip_s, "mean")


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
        cache.build_shard(manifest, shard, audio(tmp_path / "data"), spec_cfg, cache.ShardFiles.in_dir(d))
        dirs.append(d)
    return manifest, dirs


@pytest.fixture(scope="session")
def marrs(tmp_path_factory):
    """Real MARRS fish sounds (16 kHz files, a folder per sound type) -> a one-shard cache."""
    from reefclr.data import ingest
    from reefclr.features import cache
    from reefclr.features.cachedset import CachedSet

    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(id="test_marrs", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    manifest, _ = ingest.build_manifest(spec, MARRS, segment(tail="pad"))
    cache.build_shard(manifest, 0, audio(MARRS), MARRS_SPEC, cache.ShardFiles.in_dir(out))
    return CachedSet.open([out])
