"""reefclr.settings.deploy: the classifiers per sound, detection and review of a deployment."""

from reefclr.settings import Classifier, Deploy, Review


def test_classifiers_are_records_and_the_batch_size_is_runtime(demo):
    config, s = demo
    assert isinstance(s.deploy.classifiers["fish"], Classifier) and s.deploy.classifiers["fish"].reviewed is None
    result = s.deploy.result()
    assert "batch_size" not in result and result["detect"] == config["deploy"]["detect"]
    assert Deploy.runtime_keys() == ["deploy.batch_size"]


def test_review_params_of_the_samples_and_of_the_estimate():
    review = Review(bins=5, per_bin=10, active=40, level=0.9, reviewed=None, positive=("y",), negative=("n", "0"),
                    unsure=("?",), version=3)
    assert review.sampling() == {"bins": 5, "per_bin": 10, "active": 40, "version": 3}
    assert review.estimate() == {"bins": 5, "level": 0.9, "marks": [["y"], ["n", "0"], ["?"]], "version": 3}
