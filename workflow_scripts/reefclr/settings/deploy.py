"""The deployment records: search, the classifiers per sound (``Classifier``), detection
(``Detect``) and review (``Review``), gathered in ``Deploy``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, runtime


@dataclass(frozen=True)
class Classifier(Record):
    """One sound's classifier: from a test set's labels, or from reviewed deployment windows."""

    optional: ClassVar[tuple[str, ...]] = ("dataset", "reviewed", "truth_labels")
    positive: tuple[str, ...]
    C: float
    column: str
    negative: tuple[str, ...] | None
    dataset: str | None
    reviewed: str | None
    truth_labels: tuple[str, ...] | None

    def labels_of_truth(self, sound: str) -> tuple[str, ...]:
        """The labels of known events that are this sound: ``truth_labels``, else the sound's
        name and, for a classifier trained on a test set, its positive labels."""
        if self.truth_labels is not None:
            return self.truth_labels
        return tuple(dict.fromkeys((sound,) + (self.positive if self.dataset is not None else ())))


@dataclass(frozen=True)
class Detect(Record):
    threshold: float | None
    target_precision: float
    precision_level: float
    min_reviewed: int
    merge_gap_s: float
    min_overlap_s: float
    min_iou: float
    occasion: str
    version: int

    def threshold_choice(self) -> dict:
        """What choosing the threshold depends on (a rule's params)."""
        return self._pick("threshold", "target_precision", "precision_level", "min_reviewed")

    def events(self) -> dict:
        """What merging detections into events and their summaries depend on."""
        return self._pick("merge_gap_s", "occasion")

    def matching(self) -> dict:
        """What scoring detections against known events depends on."""
        return self._pick("min_iou", "min_overlap_s")

    def _pick(self, *keys) -> dict:
        return {k: getattr(self, k) for k in keys + ("version",)}


@dataclass(frozen=True)
class Review(Record):
    """The review samples of each sound and deployment, and the call density from them."""

    bins: int
    spacing: str
    per_bin: int
    active: int
    rounds: int
    level: float
    reviewed: str | None
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    unsure: tuple[str, ...]
    version: int

    def sampling(self) -> dict:
        """What the review samples depend on (a rule's params)."""
        return {k: getattr(self, k) for k in ("bins", "spacing", "per_bin", "active", "version")}

    def reading(self) -> dict:
        """What reading a reviewed sample depends on: its score bins and marks (a rule's params)."""
        return {"bins": self.bins, "spacing": self.spacing, "marks": [list(self.positive), list(self.negative), list(self.unsure)],
                "version": self.version}

    def estimate(self) -> dict:
        """What the density estimate depends on beside its reviewed table (a rule's params)."""
        return self.reading() | {"level": self.level, "per_bin": self.per_bin}


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
    truth_unknown: tuple[str, ...]
    version: int
    batch_size: int = runtime()

    def truth_of(self, sound: str) -> dict:
        """What scoring against the known events of ``sound`` reads (a rule's params)."""
        return {"folder": self.truth, "column": self.truth_label_column,
                "labels": list(self.classifiers[sound].labels_of_truth(sound)), "unknown": list(self.truth_unknown)}
