"""reefclr.deploy.classifier: a linear classifier per sound, trained and validated on whole
recordings, kept as a typed record in a portable file."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from reefclr.core.resample import RESAMPLES
from reefclr.deploy import classifier
from reefclr.deploy.classifier import LinearClassifier, Recipe

# a reefclr classifier of fish, target precision 0.9
RECIPE = Recipe(sound="fish", C=1.0, embedder="reefclr", weights_sha256="a" * 64, target_precision=0.9, seed=0)


def _examples(n=80, dim=6, seed=0):
    """Two classes apart on every vector dimension, over 8 recordings."""
    rng = np.random.default_rng(seed)
    y = np.tile([0, 1], n // 2)
    x = rng.normal(size=(n, dim)) + 2.5 * y[:, None]
    table = pd.DataFrame(x, columns=[f"e{i:04d}" for i in range(dim)])
    return table.assign(y=y, group=[f"rec{i % 8}" for i in range(n)], label=np.where(y, "fish", "ambient"))


def _windows(n=80):
    """The examples as reviewed deployment windows: clip ids and offsets in their recordings."""
    return _examples(n).assign(clip_id=[f"w{i:03d}" for i in range(n)], offset_s=np.arange(n) * 1.92)


def test_classifier_is_validated_on_whole_recordings_and_scores_as_sklearn():
    examples = _examples()
    clf = classifier.train(examples, RECIPE, "test set test_kenya")
    assert (clf.sound, clf.embedder, clf.weights_sha256, clf.trained_on) == ("fish", "reefclr", "a" * 64,
                                                                             "test set test_kenya")
    assert len(clf.coef) == len(clf.scaler_mean) == len(clf.scaler_scale) == 6
    assert (clf.positives, clf.negatives, clf.groups) == (40, 40, 8)
    assert clf.validation.folds == 5 and clf.validation.roc_auc > 0.95
    assert clf.trained_windows == ()  # a test set: no deployment window to leave out of scoring
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = examples.filter(regex=r"^e\d+$").to_numpy()
    reference = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=5000,
                                                                   random_state=0)).fit(x, examples["y"])
    np.testing.assert_allclose(clf.score(examples), reference.predict_proba(x)[:, 1], atol=1e-8)


def test_vectors_of_another_embedder_or_weights_are_refused():
    clf = classifier.train(_examples(), RECIPE, "x")
    clf.check_compatible("reefclr", "a" * 64, "shard-0.parquet")
    with pytest.raises(ValueError, match="shard-0.parquet: classifier 'fish' was trained on reefclr vectors.*"
                                         "these windows are birdnet"):
        clf.check_compatible("birdnet", "b" * 64, "shard-0.parquet")
    with pytest.raises(ValueError, match="trained on reefclr.*retrain"):
        clf.check_compatible("reefclr", "c" * 64, "shard-0.parquet")  # other weights, same name


def test_save_then_load_gives_an_equal_record(tmp_path):
    """Every field survives the JSON file, the tuples and the validation record included, so
    the loaded classifier scores and checksums as the trained one."""
    clf = classifier.train(_windows().assign(deployment=True), RECIPE, "reviewed windows r.txt")
    assert len(clf.trained_windows) == 80 and clf.trained_windows[0] == "w000"
    path = tmp_path / "fish.json"
    clf.save(path)
    assert json.loads(path.read_text())["format"] == classifier.FORMAT
    loaded = LinearClassifier.load(path)
    assert loaded == clf
    assert isinstance(loaded.coef, tuple) and isinstance(loaded.validation, classifier.Validation)
    assert loaded.checksum() == clf.checksum()
    np.testing.assert_array_equal(loaded.score(_examples()), clf.score(_examples()))


@pytest.mark.parametrize("content", [{"format": "reefclr-linear-classifier/1", "sound": "fish"}, {"sound": "fish"}])
def test_a_file_of_another_format_is_refused_naming_the_file(tmp_path, content):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=f"{path}: not a {classifier.FORMAT} file .*retrain"):
        LinearClassifier.load(path)


def test_checksum_is_short_and_follows_the_classifier():
    clf = classifier.train(_examples(), RECIPE, "x")
    assert len(clf.checksum()) == 16 and clf.checksum() == classifier.train(_examples(), RECIPE, "x").checksum()
    assert dataclasses.replace(clf, threshold=clf.threshold + 0.01).checksum() != clf.checksum()


def test_a_class_from_one_recording_is_refused():
    examples = _examples().assign(group=lambda d: np.where(d["y"] == 1, "rec0", d["group"]))
    with pytest.raises(ValueError, match="classifier fish .*positive examples from at least 2 recordings"):
        classifier.train(examples, RECIPE, "x")


def test_threshold_for_a_target_precision():
    y = np.array([0, 0, 1, 0, 1, 1, 1])
    score = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert classifier.threshold_for_precision(y, score, 1.0) == (0.5, True)
    assert classifier.threshold_for_precision(y, score, 0.75)[0] == 0.3
    # a target no threshold reaches: the threshold of the highest precision, flagged
    y = np.array([1, 0, 1, 0])
    assert classifier.threshold_for_precision(y, np.array([0.1, 0.2, 0.3, 0.4]), 0.9) == (0.1, False)


def test_validation_intervals_flag_a_classifier_near_chance():
    """The validation holds the ROC-AUC with its interval over recordings and the scores at the
    threshold, no precision bound; near chance, the target is not reached whatever the threshold."""
    good = classifier.train(_examples(), RECIPE, "x")
    v = good.validation
    assert v.roc_auc_low > 0.9 and v.roc_auc_low <= v.roc_auc <= v.roc_auc_high and not v.near_chance
    assert v.resamples == RESAMPLES and 0 < v.precision <= 1 and good.target_reached
    assert "precision_low" not in {f.name for f in dataclasses.fields(classifier.Validation)}
    noise = _examples().assign(y=np.tile([0, 0, 1, 1], 20))  # labels that follow no signal of the vectors
    clf = classifier.train(noise, RECIPE, "x")
    assert clf.validation.near_chance and clf.validation.roc_auc_low <= 0.5 and not clf.target_reached


def test_validate_scores_out_of_fold_predictions_at_the_threshold():
    y = np.array([0, 0, 1, 0, 1, 1, 0, 1])
    score = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9])
    groups = np.array(["r0", "r0", "r1", "r1", "r2", "r2", "r3", "r3"])
    v = classifier.validate(y, score, groups, 0.5, seed=0)
    # at 0.5: 4 detections, 3 of them right; 3 of the 4 positives found
    assert (v["precision"], v["recall"], v["f1"]) == pytest.approx((0.75, 0.75, 0.75))
    from sklearn.metrics import roc_auc_score

    assert v["roc_auc"] == pytest.approx(roc_auc_score(y, score))
    assert v["roc_auc_low"] <= v["roc_auc"] <= v["roc_auc_high"]
    assert v == classifier.validate(y, score, groups, 0.5, seed=0)  # seeded


def test_dataset_examples_mark_the_positive_labels():
    table = pd.DataFrame({"label": ["fish", "grunt", "ambient"], "e0000": [0.0, 1.0, 2.0]})
    assert classifier.dataset_examples(table, ["fish", "grunt"], "t")["y"].tolist() == [1, 1, 0]
    with pytest.raises(ValueError, match=r"test_kenya: positive label\(s\) \['boat'\] not in the dataset's labels"):
        classifier.dataset_examples(table, ["boat"], "test_kenya")


def test_a_window_reviewed_twice_counts_once_with_its_latest_mark():
    """A window marked in two rounds' samples is one example (the later mark wins); test-set
    clips are kept whatever their ids."""
    windows = _windows(6).assign(deployment=True)
    again = windows.iloc[[0]].assign(y=1 - windows["y"].iloc[0])
    clips = _examples(4).assign(clip_id=["w000"] * 4, deployment=False)
    kept = classifier.unique_windows(pd.concat([clips, windows, again], ignore_index=True))
    assert len(kept) == 4 + 6 and kept[kept["deployment"].astype(bool)]["clip_id"].is_unique
    assert kept[(kept["clip_id"] == "w000") & kept["deployment"].astype(bool)]["y"].item() == 1 - windows["y"].iloc[0]
