"""The training records: SimCLR pretraining (``Pretrain``, with its checks ``Knn`` and its choice
of clips ``Select``) and the supervised ceiling (``Supervised``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, hardware, runtime


@dataclass(frozen=True)
class Knn(Record):
    dataset: str | None
    k: int
    every: int = runtime()


@dataclass(frozen=True)
class Select(Record):
    """Which cached clips pretraining uses: the top ``keep`` fraction by ``by`` (features.selection)."""

    by: str
    keep: float


@dataclass(frozen=True)
class Pretrain(Record):
    section: ClassVar[str] = "pretrain"
    encoder: str
    width: int
    projection_dim: int
    temperature: float
    batch_size: int
    steps: int
    lr: float
    weight_decay: float
    momentum: float
    trust_coefficient: float
    warmup_fraction: float
    crop_min_scale: float
    crop: bool
    crop_on: str
    flip_p: float
    augment_p: float
    noise_p: float | None
    exclude: str
    schedule: str
    init: str
    export_step: int | None
    views: str
    waveform_method: str
    precision: str
    knn: Knn
    mixup: float
    select: Select
    version: int
    device: str = hardware()
    sync_batchnorm: str = hardware()
    gpus: int = hardware()
    checkpoint_every: int = runtime()
    log_every: int = runtime()
    workers: int = runtime()
    compile: bool = runtime()
    min_rank: float = runtime()  # below it at the end the run stops rather than export a collapsed encoder
    max_hours: float | None = runtime()  # above it (estimated) the run does not start


@dataclass(frozen=True)
class Supervised(Record):
    section: ClassVar[str] = "supervised"
    encoder: str
    width: int
    init: str
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    momentum: float
    split: str
    augment: bool
    views: str
    precision: str
    augment_p: float
    noise_p: float | None
    crop_min_scale: float
    version: int
    device: str = hardware()
