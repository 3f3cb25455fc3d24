"""reefclr.settings.evaluation: the study's protocol and the grouped probes."""

from reefclr.settings import Evaluation, Study


def test_evaluation_is_all_result_fields(demo):
    config, s = demo
    assert s.evaluation.result() == config["evaluation"] and Evaluation.runtime_keys() == []
    assert s.evaluation.fewshot.shots == tuple(config["evaluation"]["fewshot"]["shots"])


def test_the_study_order_of_an_embedder_and_its_params():
    study = Study.from_config({"order": "dataset", "by_embedder": {"birdnet": "test_index"},
                               "class_order": ["fish", "whale"], "version": 2})
    assert study.order_for("birdnet") == "test_index" and study.order_for("reefclr") == "dataset"
    assert study.for_embedder("birdnet") == {"order": "test_index", "class_order": ["fish", "whale"], "version": 2}
    assert Study.from_config({"order": "entry", "by_embedder": {}, "version": 1}).for_embedder("x") == {
        "order": "entry", "class_order": None, "version": 1}  # class_order optional
