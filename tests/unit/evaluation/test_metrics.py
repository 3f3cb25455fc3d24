"""reefclr.evaluation.metrics: accuracy and weighted precision, recall and F1, counted by hand."""

import warnings

import pytest
from sklearn.metrics import f1_score

from reefclr.evaluation.metrics import weighted_scores


def test_weighted_scores_by_hand_with_a_class_never_predicted():
    """a: precision 1/2, recall 1/2; b: 2/3 and 1; c (never predicted): 0 and 0; supports 2, 2, 1."""
    y_true, y_pred = ["a", "a", "b", "b", "c"], ["a", "b", "b", "b", "a"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero_division=0: no warning for c
        scores = weighted_scores(y_true, y_pred)
    assert set(scores) == {"accuracy", "precision", "recall", "f1"}
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["precision"] == pytest.approx((2 * 1 / 2 + 2 * 2 / 3 + 1 * 0) / 5)
    assert scores["recall"] == pytest.approx((2 * 1 / 2 + 2 * 1 + 1 * 0) / 5)
    assert scores["f1"] == pytest.approx((2 * 0.5 + 2 * 0.8 + 1 * 0) / 5)
    assert scores["f1"] == pytest.approx(f1_score(y_true, y_pred, average="weighted", zero_division=0))


def test_perfect_predictions_score_one():
    assert weighted_scores([1, 0, 2, 2], [1, 0, 2, 2]) == pytest.approx(
        {"accuracy": 1.0, "precision": 1.0, "recall": 1.0, "f1": 1.0})
