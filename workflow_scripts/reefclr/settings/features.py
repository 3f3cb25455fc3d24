"""The feature records: the mel spectrogram of the cache and the network's input image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, runtime


@dataclass(frozen=True)
class Spectrogram(Record):
    section: ClassVar[str] = "spectrogram"
    sample_rate: int
    n_mels: int
    n_fft: int
    hop_length: int
    win_length: int
    version: int
    batch_size: int = runtime()


@dataclass(frozen=True)
class ModelInput(Record):
    section: ClassVar[str] = "model_input"
    image_size: int
    scale: str
