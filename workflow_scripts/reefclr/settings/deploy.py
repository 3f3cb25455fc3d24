"""The deployment records: search, the classifiers per sound (``Classifier``), detection
(``Detect``) and review (``Review``), gathered in ``Deploy``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, runtime


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
