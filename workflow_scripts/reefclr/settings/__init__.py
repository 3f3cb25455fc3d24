"""Typed, frozen settings records per stage, built once from the validated config.

Every field is a **result** setting (it changes what a job computes: part of the job's rule
params, so changing it reruns exactly the jobs that read it), a **runtime** setting (speed,
memory or logging only: never in params, read by the job from its config) or a **hardware**
setting (where a job runs: in params, since float results may differ, but a pretraining
checkpoint resumes across it). ``Record.result()`` is what a rule's ``params:`` hold;
``runtime_keys()`` lists every runtime setting, so that list can never be incomplete.
The schema (``schemas/config.schema.yaml``) is the only source of defaults: records have none.

One module per stage (``base`` holds the machinery); this package gathers them in ``Settings``
and re-exports every record, so ``from reefclr.settings import Deploy`` reads the same. Part of
the spine: it may import core only, and imports nothing but dataclasses and typing, since the
Snakefile imports it for every DAG.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from . import trace
from .base import HARDWARE, RESULT, RUNTIME, Record, _build, _frozen, _plain, hardware, kind, runtime
from .data import Audio, Columns, Data, Dataset, Demo, Segment
from .deploy import Classifier, Deploy, Detect, Review
from .embed import AcousticIndices, Embed
from .evaluation import Cluster, Evaluation, FewShot, Grouped, Logreg, RandomForest, Study, Umap, Umap2d
from .features import ModelInput, Spectrogram
from .pages import Explorer, Figures
from .training import Knn, Pretrain, Select, Supervised

__all__ = [
    "HARDWARE", "RESULT", "RUNTIME", "Record", "_build", "_frozen", "_plain", "hardware", "kind", "runtime",
    "Audio", "Columns", "Data", "Dataset", "Demo", "Segment", "Classifier", "Deploy", "Detect", "Review",
    "AcousticIndices", "Embed", "Cluster", "Evaluation", "FewShot", "Grouped", "Logreg", "RandomForest", "Study",
    "Umap", "Umap2d", "ModelInput", "Spectrogram", "Explorer", "Figures", "Knn", "Pretrain", "Select", "Supervised",
    "Settings", "load",
]


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
    settings = Settings.from_config(config)
    trace.start_if_asked()
    return settings
