"""The extraction records: which embedders run, their weights, and the acoustic indices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, runtime


@dataclass(frozen=True)
class AcousticIndices(Record):
    sample_rate: int
    nperseg: int
    flim_low: tuple[float, ...]
    flim_mid: tuple[float, ...]


@dataclass(frozen=True)
class Embed(Record):
    section: ClassVar[str] = "embed"
    embedders: tuple[str, ...]
    export_csv: bool
    weights: dict[str, str | None]
    acoustic_indices: AcousticIndices
    version: int
    batch_size: int = runtime()
