"""Scores from confusion counts, and their variance over the sample of groups (recordings, sites).

The test sides of the grouped splits together hold every group, so the held-out predictions
pooled over the splits can be split by group: ``counts[g, true, predicted]``. Leaving one
group out of the pool at a time, without refitting, gives the delete-one-group jackknife
(Efron & Stein, Ann. Statist. 9, 1981; clusters as the resampled unit) of any score that is
a function of the confusion counts. Its variance is what the splits' spread misses: how much
the score would move with another sample of recordings from the same reefs.
"""

from __future__ import annotations

import numpy as np

LOO = "loo:"  # metric prefix of the leave-one-group-out scores in a probe's long rows
POOLED = ("test_f1", "macro_f1", "balanced_accuracy")  # scores computed from confusion counts


def confusion_scores(matrix: np.ndarray, classes) -> dict[str, float]:
    """Weighted F1 (the study's), macro-F1, balanced accuracy and per-class F1 of a confusion
    matrix (rows true, columns predicted), as scikit-learn gives them with zero_division=0."""
    m = np.asarray(matrix, dtype=float)
    true, predicted, hit = m.sum(1), m.sum(0), np.diag(m)
    denominator = true + predicted
    f1 = np.divide(2 * hit, denominator, out=np.zeros_like(hit), where=denominator > 0)
    present = true > 0
    recall = np.divide(hit, true, out=np.zeros_like(hit), where=present)
    out = {"test_f1": float((f1 * true).sum() / true.sum()) if true.sum() else 0.0,
           "macro_f1": float(f1.mean()),
           "balanced_accuracy": float(recall[present].mean()) if present.any() else 0.0}
    return out | {f"f1[{c}]": float(v) for c, v in zip(classes, f1)}


def group_counts(true: np.ndarray, predicted: np.ndarray, groups: np.ndarray, n_groups: int,
                 n_classes: int) -> np.ndarray:
    """(groups, classes, classes) confusion counts of integer-coded clips."""
    counts = np.zeros(n_groups * n_classes * n_classes, dtype=np.int64)
    np.add.at(counts, (groups * n_classes + true) * n_classes + predicted, 1)
    return counts.reshape(n_groups, n_classes, n_classes)


def leave_one_out(counts: np.ndarray, classes) -> list[dict[str, float]]:
    """The scores of the pooled counts with each group left out in turn (groups that were
    never held out are skipped)."""
    total = counts.sum(0)
    return [confusion_scores(total - counts[g], classes) for g in range(len(counts)) if counts[g].sum()]


def variance(values) -> float:
    """The jackknife variance (G - 1) / G * sum((v_g - mean)^2) of G leave-one-out values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return float("nan")
    return float((len(v) - 1) / len(v) * ((v - v.mean()) ** 2).sum())
