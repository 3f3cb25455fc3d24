"""Shared test helpers: the repository root, the package on sys.path, real audio files, dataset specs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow_scripts"))


def write_tone(path: Path, sr: int = 16000, seconds: float = 4.0, channels: int = 1, freq: float = 440.0,
               subtype: str = "PCM_16", seed: int = 0) -> Path:
    """A tone plus noise, written as a real audio file."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    x = 0.3 * np.sin(2 * np.pi * freq * t) + 0.05 * rng.standard_normal(len(t))
    if channels > 1:
        x = np.stack([x * (c + 1) / channels for c in range(channels)], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), x.astype(np.float32), sr, subtype=subtype)
    return path


def defaults(**sections) -> "Settings":  # noqa: F821
    """The settings records of the schema's defaults with ``sections`` layered over them
    (``defaults(pretrain={"steps": 4})``); no datasets unless ``data`` gives them."""
    from reefclr import settings
    from reefclr.config import fill_defaults, layered, load_schema

    config = layered({"data": {"root": ".", "datasets": []}}, sections)
    return settings.load(fill_defaults(config, load_schema(REPO / "schemas/config.schema.yaml")))


def dataset_spec(**entry) -> "Dataset":  # noqa: F821
    """A ``data.datasets`` entry with the schema's defaults filled in, as its record."""
    return defaults(data={"datasets": [entry]}).data.datasets[0]


def pretrain_cfg(**overrides) -> "Pretrain":  # noqa: F821
    """The ``pretrain`` record: the schema's defaults, then ``overrides``."""
    return defaults(pretrain=overrides).pretrain


def segment(**overrides) -> "Segment":  # noqa: F821
    return defaults(segment=overrides).segment


def spectrogram(**overrides) -> "Spectrogram":  # noqa: F821
    return defaults(spectrogram=overrides).spectrogram


# Tolerances that follow from the computation. A float32 sum of n terms taken in another order
# (another process count, batch size, CPU kernel or compiler fusion) moves by at most n * u of
# the sum of the magnitudes (Higham's gamma_n, u = 2**-24), so results are compared in norm
# against such a bound, never element by element: a small element of a tensor can carry the
# rounding of its large neighbours, relative to itself.
U32 = 2.0**-24  # float32 unit roundoff
UBF16 = 2.0**-8  # bfloat16 unit roundoff


def reduction_bound(terms: int, steps: int = 1) -> float:
    """Relative error bound of ``steps`` chained float32 reductions of ``terms`` terms each."""
    return steps * terms * U32


def relative_difference(a, b) -> float:
    """||a - b|| / ||a|| over the whole tensor (0 when both are zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(a)
    return float(np.linalg.norm(a - b) / scale) if scale else float(np.linalg.norm(b))


def row_difference(a, b) -> float:
    """The largest ||a_i - b_i|| / ||a_i|| over the rows (embedding vectors) of two matrices."""
    return max((relative_difference(x, y) for x, y in zip(np.asarray(a), np.asarray(b), strict=True)), default=0.0)


def assert_within(difference: float, bound: float, what: str) -> None:
    """Assert a measured relative difference is within its bound; print both (pytest -s shows them)."""
    print(f"[equivalence] {what}: relative difference {difference:.2e}, bound {bound:.2e}")
    assert difference <= bound, f"{what}: relative difference {difference:.3g} exceeds its bound {bound:.3g}"


def workflow_config(*files: str, command_line: dict | None = None) -> dict:
    """The validated config of ``snakemake --configfile FILES --config ...`` as the workflow
    composes it (reefclr.config.compose): config.yaml, the demo, only when no file is given."""
    import yaml
    from reefclr.config import compose, layered, load_schema, validate_config

    merged: dict = {}
    for name in files:
        merged = layered(merged, yaml.safe_load((REPO / name).read_text()))
    merged = layered(merged, command_line or {})
    composed = compose(merged, list(files), REPO / "config.yaml")
    return validate_config(composed, load_schema(REPO / "schemas/config.schema.yaml"))


def pretrain_job(dirs, cfg, spectrogram, model_input, checkpoint, run_hash: str = "h", **job):
    """A training.train.PretrainJob over the cache ``dirs`` (seed 0, one thread unless ``job`` says)."""
    from reefclr.features.views import ViewSettings
    from reefclr.training.train import PretrainJob

    seed = job.pop("seed", 0)
    return PretrainJob(tuple(str(d) for d in dirs), ViewSettings(cfg, spectrogram, model_input, seed), str(checkpoint),
                       run_hash, **job)
