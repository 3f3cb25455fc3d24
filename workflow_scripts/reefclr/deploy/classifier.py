"""A linear classifier per sound on one embedder's vectors: trained on a labelled test set or
on reviewed deployment windows, validated on grouped folds (whole recordings held out), and
kept as a typed record in a portable JSON file that carries the embedder's name and weights
checksum. Written and read here only (``save``, ``load``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.core.atomic import write_json
from reefclr.core.resample import RESAMPLES, group_resamples
from reefclr.core.vectors import matrix

log = logging.getLogger(__name__)
FORMAT = "reefclr-linear-classifier/2"


@dataclass(frozen=True)
class Validation:
    """Grouped validation of a classifier on its own examples (at their prevalence): ROC-AUC
    with a 95% interval over bootstrap resamples of recordings, and the scores at the
    threshold reaching the target precision there."""

    folds: int
    roc_auc: float
    roc_auc_low: float
    roc_auc_high: float
    average_precision: float
    precision: float
    recall: float
    f1: float
    near_chance: bool
    resamples: int


@dataclass(frozen=True)
class LinearClassifier:
    """A standardised logistic regression of one sound, with where it came from."""

    sound: str
    embedder: str
    weights_sha256: str
    scaler_mean: tuple[float, ...]
    scaler_scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    target_precision: float
    target_reached: bool
    trained_on: str
    positives: int
    negatives: int
    groups: int
    trained_windows: tuple[str, ...]
    validation: Validation

    def save(self, path) -> None:
        write_json({"format": FORMAT, **asdict(self)}, path)

    @classmethod
    def load(cls, path) -> LinearClassifier:
        raw = json.loads(Path(path).read_text())
        if raw.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file (format {raw.get('format')!r}); retrain the classifier")
        names = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in names}
        return cls(**values | {"validation": Validation(**raw["validation"])})

    def checksum(self) -> str:
        """A short checksum of the classifier (review samples record whose scores they come from)."""
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def score(self, table: pd.DataFrame) -> np.ndarray:
        """The probability of the sound for each row of an embeddings table."""
        x = (matrix(table, np.float64) - np.asarray(self.scaler_mean)) / np.asarray(self.scaler_scale)
        return 1.0 / (1.0 + np.exp(-(x @ np.asarray(self.coef) + self.intercept)))

    def check_compatible(self, embedder: str, weights_sha256: str, where: str) -> None:
        """Refuse vectors of another embedder (name or weights) than the classifier was trained on."""
        if (self.embedder, self.weights_sha256) != (embedder, weights_sha256):
            raise ValueError(f"{where}: classifier {self.sound!r} was trained on {self.embedder} vectors (weights "
                             f"sha256 {self.weights_sha256[:12]}...), these windows are {embedder} (weights sha256 "
                             f"{weights_sha256[:12]}...): retrain it on this embedder")


@dataclass(frozen=True)
class Recipe:
    """How a classifier is trained: the sound, its regularisation, the embedder and its
    weights, the target precision of its validation threshold, the seed."""

    sound: str
    C: float
    embedder: str
    weights_sha256: str
    target_precision: float
    seed: int


def unique_windows(examples: pd.DataFrame) -> pd.DataFrame:
    """Examples with each deployment window once: a window reviewed twice keeps its latest mark."""
    if "deployment" not in examples:
        return examples
    mine = _deployment(examples)
    kept = examples[mine].drop_duplicates("clip_id", keep="last")
    return pd.concat([examples[~mine], kept], ignore_index=True)


def _deployment(examples: pd.DataFrame) -> np.ndarray:
    return examples["deployment"].astype("boolean").fillna(False).to_numpy(bool)


def dataset_examples(table: pd.DataFrame, positive: list[str], where: str) -> pd.DataFrame:
    """A labelled test set as examples: 1 for the ``positive`` labels, 0 for the rest."""
    unknown = sorted(set(positive) - set(table["label"]))
    if unknown:
        raise ValueError(f"{where}: positive label(s) {unknown} not in the dataset's labels "
                         f"{sorted(table['label'].unique())}")
    return table.assign(y=table["label"].isin(positive).astype(int))


def _model(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=5000,
                                                              random_state=seed))


def threshold_for_precision(y: np.ndarray, score: np.ndarray, target: float) -> tuple[float, bool]:
    """The lowest threshold whose detections reach ``target`` precision (and whether any does;
    if none, the threshold of the highest precision)."""
    from sklearn.metrics import precision_recall_curve

    precision, _, thresholds = precision_recall_curve(y, score)
    ok = np.flatnonzero(precision[:-1] >= target)
    if len(ok):
        return float(thresholds[ok[0]]), True
    return float(thresholds[np.argmax(precision[:-1])]), False


def validate(y: np.ndarray, score: np.ndarray, groups: np.ndarray, threshold: float, seed: int) -> dict:
    """Scores of out-of-fold predictions at ``threshold``, and the ROC-AUC's 95% interval over
    bootstrap resamples of recordings (``near_chance`` when it reaches 0.5)."""
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

    hit = score >= threshold
    aucs = [roc_auc_score(y[idx], score[idx]) for idx in group_resamples(groups, seed)
            if 0 < y[idx].sum() < len(idx)]
    low, high = np.quantile(aucs, [0.025, 0.975]) if aucs else (np.nan, np.nan)
    return dict(roc_auc=float(roc_auc_score(y, score)), roc_auc_low=float(low), roc_auc_high=float(high),
                average_precision=float(average_precision_score(y, score)),
                precision=float(precision_score(y, hit, zero_division=0)),
                recall=float(recall_score(y, hit, zero_division=0)), f1=float(f1_score(y, hit, zero_division=0)),
                near_chance=bool(not np.isfinite(low) or low <= 0.5))


def train(examples: pd.DataFrame, recipe: Recipe, source: str) -> LinearClassifier:
    """The classifier of ``recipe.sound`` on ``examples`` (vector columns, y, group; clip_id, and
    ``deployment`` true for deployment windows, whose ids it keeps), validated on grouped folds
    with whole recordings held out."""
    from sklearn.model_selection import GroupKFold

    y, groups, x = examples["y"].to_numpy(), examples["group"].to_numpy(), matrix(examples, np.float64)
    where = f"classifier {recipe.sound} ({source})"
    for value, name in ((1, "positive"), (0, "negative")):
        if (y == value).sum() < 2 or len(np.unique(groups[y == value])) < 2:
            raise ValueError(f"{where}: needs {name} examples from at least 2 recordings; has "
                             f"{int((y == value).sum())} from {len(np.unique(groups[y == value]))}")
    folds = min(5, len(np.unique(groups)))
    oof = np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(x, y, groups):
        if len(np.unique(y[train_idx])) < 2:
            raise ValueError(f"{where}: a fold holds one class only; add recordings of the rarer class")
        oof[test_idx] = _model(recipe.C, recipe.seed).fit(x[train_idx], y[train_idx]).predict_proba(x[test_idx])[:, 1]
    threshold, reached = threshold_for_precision(y, oof, recipe.target_precision)
    scores = validate(y, oof, groups, threshold, recipe.seed)
    if scores["near_chance"]:
        log.warning("%s: grouped validation ROC-AUC %.2f [%.2f, %.2f] is near or below chance (its interval reaches "
                    "0.5); add or review examples", where, scores["roc_auc"], scores["roc_auc_low"],
                    scores["roc_auc_high"])
    model = _model(recipe.C, recipe.seed).fit(x, y)
    scaler, logreg = model[0], model[1]
    windows = tuple(sorted(examples.loc[_deployment(examples), "clip_id"])) if "deployment" in examples else ()
    return LinearClassifier(
        recipe.sound, recipe.embedder, recipe.weights_sha256, _floats(scaler.mean_), _floats(scaler.scale_),
        _floats(logreg.coef_[0]), float(logreg.intercept_[0]), threshold, recipe.target_precision,
        reached and not scores["near_chance"], source, int(y.sum()), int((1 - y).sum()), len(np.unique(groups)),
        windows, Validation(folds=folds, resamples=RESAMPLES, **scores))


def _floats(values) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
