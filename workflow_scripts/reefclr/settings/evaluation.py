"""The evaluation records: the study's protocol (``RandomForest``, ``Cluster`` with its
``Umap``, ``Study``, ``Umap2d``) and the grouped probes (``Grouped``, ``Logreg``, ``FewShot``),
gathered in ``Evaluation``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record, _plain


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
