"""reefclr.training.estimate: a pretraining run's time, said before it starts."""

from dataclasses import replace

import pytest

from helpers import defaults, pretrain_cfg, pretrain_job
from reefclr.settings import ModelInput
from reefclr.training import estimate, train

INPUT = ModelInput(32, "power")


def test_flops_scale_with_image_area_and_small_resnet_width():
    assert estimate.gflop_per_image("resnet50", 16, 224) == pytest.approx(24.3)
    assert estimate.gflop_per_image("resnet50", 16, 112) == pytest.approx(24.3 / 4)
    assert estimate.gflop_per_image("small_resnet", 16, 64) == pytest.approx(0.0963)
    assert estimate.gflop_per_image("small_resnet", 32, 128) == pytest.approx(0.0963 * 16)
    with pytest.raises(ValueError, match="no FLOP count for encoder 'vit'"):
        estimate.gflop_per_image("vit", 16, 224)


def test_the_schemas_default_recipe_is_said_to_take_days_on_a_laptop_and_the_demos_seconds():
    """A config without a pretrain block gets the study's ResNet50 recipe: tens of hours on 2 cores."""
    study = defaults()
    guess = estimate.on_cpu(study.pretrain.to_dict(), study.model_input.image_size, 2)
    assert study.pretrain.encoder == "resnet50" and guess.hours > 24
    assert "h on 2 CPU cores" in guess.text()
    demo = estimate.on_cpu(dict(encoder="small_resnet", width=16, batch_size=64, steps=300, export_step=None), 64, 2)
    assert demo.hours * 3600 < 120
    assert estimate.on_cpu(study.pretrain.to_dict() | {"export_step": 10}, 224, 2).steps == 10


def test_over_budget_names_the_bound_and_the_way_out():
    assert estimate.over_budget(0.5, 1.0, "x") == "" and estimate.over_budget(50, None, "x") == ""
    why = estimate.over_budget(41.0, 2.0, "about 41 h")
    assert "about 41 h" in why and "pretrain.max_hours 2" in why and "small_archive" in why


def test_pace_speaks_once_after_the_timed_steps():
    pace = estimate.Pace(end=100)
    said = [pace.add(step, 10.0 if step == 0 else 1.0) for step in range(8)]
    assert said[: estimate.TIMED_STEPS] == [None] * estimate.TIMED_STEPS
    assert said[estimate.TIMED_STEPS] == pytest.approx((100 - estimate.TIMED_STEPS - 1) / 3600)  # the first step left out
    assert all(s is None for s in said[estimate.TIMED_STEPS + 1:])


def test_a_run_over_its_bound_stops_before_its_first_step(cached, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = pretrain_cfg(encoder="small_resnet", width=4, projection_dim=16, batch_size=6, steps=8, device="cpu",
                       max_hours=1e-9)
    with pytest.raises(RuntimeError, match="more than pretrain.max_hours"):
        train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "m.pt"))
    assert not (tmp_path / "m.pt").exists()  # nothing trained, nothing written
    done = train.pretrain(pretrain_job(dirs, replace(cfg, max_hours=1.0), spec_cfg, INPUT, tmp_path / "m.pt"))
    assert len(done.history) == 8
