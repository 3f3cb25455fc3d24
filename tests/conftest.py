"""Fixtures shared by the unit tests."""

import pytest

import helpers  # noqa: F401  (puts workflow_scripts on sys.path)


SLOW_MODULES = {"test_end_to_end", "test_paper_presets", "test_slurm", "test_pretrain_rule", "test_own_data"}


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
