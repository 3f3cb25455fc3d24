"""Typed, frozen settings records per stage, built once from the validated config.

Every field is a **result** setting (it changes what a job computes: part of the job's rule
params, so changing it reruns exactly the jobs that read it), a **runtime** setting (speed,
memory or logging only: never in params, read by the job from its config) or a **hardware**
setting (where a job runs: in params, since float results may differ, but a pretraining
checkpoint resumes across it). ``Record.result()`` is what a rule's ``params:`` hold;
``runtime_keys()`` lists every runtime setting, so that list can never be incomplete.
The schema (``schemas/config.schema.yaml``) is the only source of defaults: records have none.
Light on purpose: the Snakefile imports it for every DAG.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

RESULT, RUNTIME, HARDWARE = "result", "runtime", "hardware"


def runtime():
    """A field that changes only speed, memory or logging."""
    return field(metadata={"kind": RUNTIME})


def hardware():
    """A field that says where a job runs (in params; a checkpoint resumes across it)."""
    return field(metadata={"kind": HARDWARE})


def kind(f) -> str:
    return f.metadata.get("kind", RESULT)


def _plain(value):
    """JSON-ready: records to dicts, tuples to lists."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _frozen(value):
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Record:
    """A frozen record of one config section (``section``: its dotted key in the config)."""

    section: ClassVar[str] = ""
    optional: ClassVar[tuple[str, ...]] = ()  # keys the schema may leave out (no default): None

    @classmethod
    def from_config(cls, values: typing.Mapping[str, Any]):
        """The record of a validated config section (the schema filled every default)."""
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in fields(cls):
            if f.name not in values and f.name not in cls.optional:
                raise KeyError(f"{cls.section or cls.__name__}: no {f.name!r} (is the config validated?)")
            kwargs[f.name] = _build(hints[f.name], values.get(f.name))
        return cls(**kwargs)

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def result(self) -> dict:
        """The fields that decide a job's result (result and hardware), nested records likewise:
        what a rule's params hold."""
        out = {}
        for f in fields(self):
            if kind(f) == RUNTIME:
                continue
            value = getattr(self, f.name)
            out[f.name] = value.result() if isinstance(value, Record) else _plain(value)
        return out

    @classmethod
    def runtime_keys(cls, prefix: str = "") -> list[str]:
        """Dotted keys of every runtime field, nested records included."""
        hints = typing.get_type_hints(cls)
        prefix = prefix or cls.section
        out = []
        for f in fields(cls):
            key = f"{prefix}.{f.name}" if prefix else f.name
            if kind(f) == RUNTIME:
                out.append(key)
            elif isinstance(hints[f.name], type) and issubclass(hints[f.name], Record):
                out += hints[f.name].runtime_keys(key)
        return out


def _build(hint, value):
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_config(value)
    if origin is tuple and value is not None:
        (item, *_) = typing.get_args(hint)
        return tuple(_build(item, v) for v in value)
    if origin is dict and value is not None:
        _, item = typing.get_args(hint)
        return {k: _build(item, v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _build(args[0], value)
    return _frozen(value)


# --- the records ------------------------------------------------------------------------
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


@dataclass(frozen=True)
class Knn(Record):
    dataset: str | None
    k: int
    every: int = runtime()


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
    version: int
    device: str = hardware()
    sync_batchnorm: str = hardware()
    gpus: int = hardware()
    checkpoint_every: int = runtime()
    log_every: int = runtime()
    workers: int = runtime()
    compile: bool = runtime()


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


@dataclass(frozen=True)
class Umap(Record):
    n_components: int
    n_neighbors: int
    min_dist: float
    metric: str
    random_state: int


@dataclass(frozen=True)
class RandomForest(Record):
    n_estimators: int
    test_size: float
    random_state: int
    version: int


@dataclass(frozen=True)
class Cluster(Record):
    umap: Umap
    damping: float
    max_iter: int
    random_state: int
    permutations: int
    max_points: int
    version: int


@dataclass(frozen=True)
class Grouped(Record):
    repeats: int
    test_fraction: float
    seed: int
    version: int


@dataclass(frozen=True)
class Logreg(Record):
    C: float
    max_iter: int
    version: int


@dataclass(frozen=True)
class FewShot(Record):
    shots: tuple[int, ...]
    version: int


@dataclass(frozen=True)
class Umap2d(Record):
    n_components: int
    n_neighbors: int
    min_dist: float
    metric: str
    random_state: int
    version: int


@dataclass(frozen=True)
class Study(Record):
    """How the study's code ordered and numbered an embedder's clips (``evaluation.study``)."""

    optional: ClassVar[tuple[str, ...]] = ("class_order",)
    order: str
    by_embedder: dict[str, str]
    class_order: tuple[str, ...] | None
    version: int

    def order_for(self, embedder: str) -> str:
        return self.by_embedder.get(embedder, self.order)

    def for_embedder(self, embedder: str) -> dict:
        """What the study's RF and clustering of ``embedder`` read: a rule's params."""
        return {"order": self.order_for(embedder), "class_order": _plain(self.class_order),
                "version": self.version}


@dataclass(frozen=True)
class Evaluation(Record):
    section: ClassVar[str] = "evaluation"
    rf: RandomForest
    cluster: Cluster
    study: Study
    grouped: Grouped
    rare_classes: str
    logreg: Logreg
    fewshot: FewShot
    umap2d: Umap2d


@dataclass(frozen=True)
class Figures(Record):
    section: ClassVar[str] = "figures"
    dpi: int
    point_size: float


@dataclass(frozen=True)
class Classifier(Record):
    """One sound's classifier: from a test set's labels, or from reviewed deployment windows."""

    optional: ClassVar[tuple[str, ...]] = ("dataset", "reviewed")
    positive: tuple[str, ...]
    C: float
    column: str
    negative: tuple[str, ...] | None
    dataset: str | None
    reviewed: str | None


@dataclass(frozen=True)
class Detect(Record):
    threshold: float | None
    target_precision: float
    merge_gap_s: float
    min_overlap_s: float
    min_iou: float
    occasion: str
    version: int


@dataclass(frozen=True)
class Review(Record):
    """The review samples of each sound and deployment, and the call density from them."""

    bins: int
    per_bin: int
    active: int
    level: float
    reviewed: str | None
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    unsure: tuple[str, ...]
    version: int

    def sampling(self) -> dict:
        """What the review samples depend on (a rule's params)."""
        return {k: getattr(self, k) for k in ("bins", "per_bin", "active", "version")}

    def estimate(self) -> dict:
        """What the density estimate depends on beside its reviewed table (a rule's params)."""
        return {"bins": self.bins, "level": self.level, "marks": [list(self.positive), list(self.negative),
                                                                  list(self.unsure)], "version": self.version}


@dataclass(frozen=True)
class Deploy(Record):
    section: ClassVar[str] = "deploy"
    embedder: str
    queries: str | None
    top_k: int
    centre: str
    classifiers: dict[str, Classifier]
    detect: Detect
    review: Review
    truth: str | None
    truth_label_column: str
    version: int
    batch_size: int = runtime()


@dataclass(frozen=True)
class Explorer(Record):
    section: ClassVar[str] = "explorer"
    max_points: int
    max_media: int
    point_size: float
    version: int



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
            if d.id == dataset_id:
                return d
        raise KeyError(f"no dataset {dataset_id!r}; datasets: {[d.id for d in self.datasets]}")

    def ids(self, role: str) -> list[str]:
        return [d.id for d in self.datasets if d.role == role]


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


@dataclass(frozen=True)
class Settings(Record):
    """The whole validated config as records: ``Settings.from_config(config)``."""

    seed: int
    demo: Demo
    data: Data
    segment: Segment
    spectrogram: Spectrogram
    model_input: ModelInput
    pretrain: Pretrain
    embed: Embed
    supervised: Supervised
    evaluation: Evaluation
    figures: Figures
    deploy: Deploy
    explorer: Explorer

    @property
    def audio(self) -> Audio:
        """Where clips are read from (the data root, ``segment.clip_s``, ``segment.channel``)."""
        return Audio(self.data.root, self.segment.clip_s, self.segment.channel)

    def value(self, dotted: str):
        """The setting at a dotted key (``pretrain.encoder``), as plain data."""
        node = self
        for part in dotted.split("."):
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        return _plain(node)


def load(config: typing.Mapping[str, Any]) -> Settings:
    """The records of a validated config (a job's ``snakemake.config``)."""
    return Settings.from_config(config)
