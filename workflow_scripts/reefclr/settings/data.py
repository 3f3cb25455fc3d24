"""The data records: the datasets (``Data``, ``Dataset``, ``Columns``), the cut into clips
(``Segment``), where clips are read from (``Audio``) and the synthetic demo (``Demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, untraced


@dataclass(frozen=True)
class Columns(Record):
    file: str
    start: str
    end: str
    label: str
    dataset: str


@dataclass(frozen=True)
class Dataset(Record):
    """One entry of ``data.datasets``: where its audio is, in which format, how it is grouped."""

    optional: ClassVar[tuple[str, ...]] = ("path", "audio", "annotations", "data_type")
    id: str
    role: str
    format: str
    path: str | None
    columns: Columns
    sep: str | None
    labels: tuple[str, ...] | None
    label_map: dict[str, str | None]
    audio: str | None
    annotations: str | None
    label_column: str
    background_label: str | None
    label_from_folder: bool
    data_type: str | None
    dataset: str | None
    group_by: str
    group_pattern: str | None
    group_map: str | None
    site: str | None
    extensions: tuple[str, ...]
    shards: int
    hop_s: float | None


@dataclass(frozen=True)
class Data(Record):
    section: ClassVar[str] = "data"
    root: str
    on_bad_audio: str
    on_leakage: str
    datasets: tuple[Dataset, ...]

    def dataset(self, dataset_id: str) -> Dataset:
        for d in self.datasets:
            if untraced(d, "id") == dataset_id:  # the other datasets' ids are a lookup, not a setting read
                return d
        raise KeyError(f"no dataset {dataset_id!r}; datasets: {[d.id for d in self.datasets]}")

    def ids(self, role: str) -> list[str]:
        return [d.id for d in self.datasets if d.role == role]


@dataclass(frozen=True)
class Segment(Record):
    section: ClassVar[str] = "segment"
    clip_s: float
    hop_s: float
    tail: str
    min_overlap: float
    channel: int | str
    version: int


@dataclass(frozen=True)
class Audio(Record):
    """Where clips are read from: the data root, the clip length and the channel (mono mix)."""

    data_root: str
    clip_s: float
    channel: int | str


@dataclass(frozen=True)
class Demo(Record):
    section: ClassVar[str] = "demo"
    sample_rate: int
    pretrain_sites: int
    pretrain_duration_s: float
    test_recordings_per_class: int
    test_duration_s: float
    bermuda_clips_per_class: int
    deploy_sites: int
    deploy_files_per_site: int
    deploy_duration_s: float
    version: int
