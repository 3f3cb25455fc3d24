"""reefclr.evaluation.jackknife: scores from confusion counts equal scikit-learn's, and the
leave-one-group-out pool equals rescoring without the group."""

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score

from reefclr.evaluation import jackknife


@pytest.mark.parametrize("seed", range(4))
def test_confusion_scores_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    classes = np.array(["a", "b", "c"])
    true = rng.integers(0, 3, 60)
    pred = np.where(rng.random(60) < 0.6, true, rng.integers(0, 2, 60))  # class c sometimes never predicted
    counts = jackknife.group_counts(true, pred, np.zeros(60, dtype=np.int64), 1, 3)[0]
    scores = jackknife.confusion_scores(counts, classes)
    t, p = classes[true], classes[pred]
    assert scores["test_f1"] == pytest.approx(f1_score(t, p, average="weighted", zero_division=0))
    assert scores["macro_f1"] == pytest.approx(f1_score(t, p, average="macro", labels=classes, zero_division=0))
    assert scores["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(t, p))
    per_class = f1_score(t, p, average=None, labels=classes, zero_division=0)
    assert [scores[f"f1[{c}]"] for c in classes] == pytest.approx(per_class)


def test_leave_one_out_is_the_pool_rescored_without_that_group():
    rng = np.random.default_rng(0)
    classes = np.array(["a", "b"])
    groups = np.repeat(np.arange(6), 10)
    true = groups % 2
    pred = np.where(rng.random(60) < 0.7, true, 1 - true)
    counts = jackknife.group_counts(true, pred, groups, 6, 2)
    loo = jackknife.leave_one_out(counts, classes)
    for g in range(6):
        keep = groups != g
        expected = f1_score(true[keep], pred[keep], average="macro", zero_division=0)
        assert loo[g]["macro_f1"] == pytest.approx(expected)
    values = [s["macro_f1"] for s in loo]
    assert jackknife.variance(values) == pytest.approx(5 / 6 * np.sum((np.array(values) - np.mean(values)) ** 2))
