"""reefclr.settings.deploy: the classifiers per sound, detection and review of a deployment, and
the params each deployment rule holds."""

from helpers import defaults
from reefclr.settings import Classifier, Deploy, Review


def test_classifiers_are_records_and_the_batch_size_is_runtime(demo):
    config, s = demo
    assert isinstance(s.deploy.classifiers["fish"], Classifier) and s.deploy.classifiers["fish"].reviewed is None
    result = s.deploy.result()
    assert "batch_size" not in result and result["detect"] == config["deploy"]["detect"]
    assert Deploy.runtime_keys() == ["deploy.batch_size"]


def test_review_params_of_the_samples_of_reading_and_of_the_estimate():
    review = Review(bins=5, spacing="geometric", per_bin=10, active=40, rounds=2, level=0.9, reviewed=None, positive=("y",),
                    negative=("n", "0"), unsure=("?",), version=3)
    assert review.sampling() == {"bins": 5, "spacing": "geometric", "per_bin": 10, "active": 40, "version": 3}
    assert review.reading() == {"bins": 5, "spacing": "geometric", "marks": [["y"], ["n", "0"], ["?"]], "version": 3}
    assert review.estimate() == review.reading() | {"level": 0.9, "per_bin": 10}


def test_detect_params_split_by_what_each_rule_reads():
    detect = defaults().deploy.detect
    assert detect.threshold_choice() == {"threshold": None, "target_precision": 0.9, "precision_level": 0.95,
                                         "min_reviewed": 10, "version": 1}
    assert detect.events() == {"merge_gap_s": 1.0, "occasion": "day", "version": 1}
    assert detect.matching() == {"min_iou": 0.3, "min_overlap_s": 0.0, "version": 1}


def test_the_known_events_of_a_sound_are_its_own_labels():
    deploy = defaults(deploy={"truth": "truth", "classifiers": {
        "fish": {"dataset": "test_kenya", "positive": ["grunt", "knock"]},
        "boat": {"reviewed": "boats.txt", "positive": ["y"]},
        "whale": {"reviewed": "w.txt", "positive": ["y"], "truth_labels": ["humpback"]}}}).deploy
    assert deploy.classifiers["fish"].labels_of_truth("fish") == ("fish", "grunt", "knock")
    assert deploy.classifiers["boat"].labels_of_truth("boat") == ("boat",)
    assert deploy.truth_of("whale") == {"folder": "truth", "column": "Annotation", "labels": ["humpback"],
                                        "unknown": ["UNK"]}
