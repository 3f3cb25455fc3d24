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


def dataset_spec(**entry) -> dict:
    """A ``data.datasets`` entry with the schema's defaults filled in."""
    from reefclr.config import fill_defaults, load_schema

    schema = load_schema(REPO / "schemas/config.schema.yaml")
    fill_defaults({"data": {"root": ".", "datasets": [entry]}}, schema)
    return entry


def pretrain_cfg(**overrides) -> dict:
    """A ``pretrain`` config slice: the schema's defaults, then ``overrides``."""
    from reefclr.config import fill_defaults, load_schema

    schema = load_schema(REPO / "schemas/config.schema.yaml")
    return fill_defaults({"data": {"root": ".", "datasets": []}}, schema)["pretrain"] | overrides
