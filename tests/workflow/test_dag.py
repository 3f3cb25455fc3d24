"""Dry runs of every preset, config errors before any job, lint and format."""

import shutil

import pytest
from snakerun import REPO, planned_rules, snakemake

ALL_RULES = {"make_demo_data", "segment_recordings", "validate_data", "build_spectrogram_cache", "pretrain_simclr",
             "extract_embeddings", "fit_random_forest", "cluster_embeddings", "embed_umap_2d",
             "aggregate_tables", "plot_figures", "all"}


def test_demo_dry_run_lists_every_rule(workflow_copy):
    counts = planned_rules(workflow_copy)
    assert set(counts) == ALL_RULES
    assert counts["extract_embeddings"] == counts["fit_random_forest"] == 3 * 6
    assert counts["build_spectrogram_cache"] == 2 + 6  # pretrain has 2 shards


def test_ci_preset_dry_run(workflow_copy):
    assert set(planned_rules(workflow_copy, "--configfile", "presets/ci.yaml")) == ALL_RULES


def test_paper_preset_dry_run(workflow_copy):
    counts = planned_rules(workflow_copy, "--configfile", "presets/paper.yaml")
    assert set(counts) == ALL_RULES - {"make_demo_data"}
    assert counts["build_spectrogram_cache"] == 64 + 6
    out = snakemake(workflow_copy, "-n", "--configfile", "presets/paper.yaml")
    assert "gpu=1" in out.stdout  # pretrain_simclr asks for the GPU


def test_bad_config_stops_before_any_job(workflow_copy):
    (workflow_copy / "bad.yaml").write_text("evaluation:\n  rf:\n    n_trees: 10\n")
    out = snakemake(workflow_copy, "-n", "--configfile", "bad.yaml")
    assert out.returncode != 0
    assert "config: evaluation.rf: Additional properties are not allowed ('n_trees' was unexpected)" in (
        out.stdout + out.stderr)
    assert not (workflow_copy / "results" / "manifests").exists()


def test_lint_is_clean(workflow_copy):
    out = snakemake(workflow_copy, "--lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Lints for" not in out.stdout + out.stderr, out.stdout + out.stderr


@pytest.mark.skipif(shutil.which("snakefmt") is None, reason="snakefmt is not installed")
def test_snakefmt_check():
    import subprocess

    out = subprocess.run(["snakefmt", "--check", "Snakefile", "rules"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
