"""The study's classification scores (shared by the random forest and the supervised ceiling)."""

from __future__ import annotations

from sklearn.metrics import accuracy_score, precision_recall_fscore_support


def weighted_scores(y_true, y_pred) -> dict[str, float]:
    """Accuracy, and precision, recall and F1 with ``average='weighted'``."""
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="weighted", zero_division=0)
    return {"accuracy": accuracy_score(y_true, y_pred), "precision": p, "recall": r, "f1": f}
