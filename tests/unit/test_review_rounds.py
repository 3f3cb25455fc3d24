"""reefclr.review_rounds: which review rounds a sound has and what each makes."""

from dataclasses import replace

import pytest

from helpers import workflow_config
from reefclr import paths, settings
from reefclr.review_rounds import earlier_reviews, last_round, reviewed_sample, round_targets


@pytest.fixture(scope="module")
def demo():
    return settings.load(workflow_config())


def test_the_demos_reviewer_answers_every_round_but_the_last_rounds_active_sample(demo):
    assert last_round(demo, True, "fish") == demo.deploy.review.rounds == 2
    assert reviewed_sample(demo, True, "deploy_reef", "fish", 1, "active").endswith("round-1/review/fish/active.reviewed.txt")
    assert reviewed_sample(demo, True, "deploy_reef", "fish", 2, "active") is None  # the last round's
    targets = round_targets(demo, True, "deploy_reef", "fish")
    assert paths.ROUNDS.format(dataset="deploy_reef", sound="fish", ext="csv") in targets
    assert "results/deploy/classifiers/fish/round-2.json" in targets


def test_a_users_round_k_plus_1_exists_once_a_table_of_round_k_is_in_place(demo, tmp_path):
    root = tmp_path / "root"
    (root / "review").mkdir(parents=True)
    mine = replace(demo, data=replace(demo.data, root=str(root)),
                   deploy=replace(demo.deploy, review=replace(demo.deploy.review, reviewed="review")))
    assert last_round(mine, False, "fish") == 0
    (root / "review" / paths.reviewed_table("deploy_reef", "fish", 0, "active")).write_text("")
    assert last_round(mine, False, "fish") == 1
    assert earlier_reviews(mine, False, "fish", 1) == [
        ["deploy_reef", str(root / "review" / "deploy_reef.fish.round-0.active.txt")]]
