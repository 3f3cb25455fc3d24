"""Dry runs of every preset, config errors before any job, lint and format."""

import shutil

import pytest
from snakerun import REPO, planned_rules, snakemake

import standins

ALL_RULES = {"make_demo_data", "segment_recordings", "validate_data", "check_plan", "data_gate", "build_spectrogram_cache",
             "pretrain_simclr", "extract_embeddings", "fit_random_forest", "cluster_embeddings", "embed_umap_2d",
             "probe_grouped", "aggregate_tables", "plot_figures", "build_results_page", "build_explorer", "all",
             "embed_deploy", "embed_queries", "search_deploy", "train_classifier", "score_deploy", "detect_events",
             "deploy_media", "validation_sample", "active_sample", "simulate_review", "estimate_density", "choose_threshold",
             "score_events", "review_page", "summarize_rounds", "plot_calibration"}
DEPLOY_RULES = {"embed_deploy", "embed_queries", "search_deploy", "train_classifier", "score_deploy", "detect_events",
                "deploy_media", "validation_sample", "active_sample", "simulate_review", "estimate_density", "choose_threshold",
                "score_events", "review_page", "summarize_rounds", "plot_calibration"}


def test_demo_dry_run_lists_every_rule(workflow_copy):
    """The demo: reefclr, random_init, mel_stats from the cache; acoustic indices and BirdNET from the audio."""
    counts = planned_rules(workflow_copy)
    assert set(counts) == ALL_RULES | {"extract_waveform_embeddings"}
    assert counts["extract_embeddings"] == 3 and counts["extract_waveform_embeddings"] == 2  # one per embedder
    # one evaluation job per embedder and analysis covers every test set
    assert counts["fit_random_forest"] == counts["cluster_embeddings"] == counts["embed_umap_2d"] == 5
    assert counts["probe_grouped"] == 3 * 5  # rf, logreg, fewshot
    assert counts["build_spectrogram_cache"] == 2 + 6  # pretrain has 2 shards


def test_ci_preset_dry_run(workflow_copy):
    assert set(planned_rules(workflow_copy, "--configfile", "config.yaml", "presets/ci.yaml")) == ALL_RULES


@pytest.fixture
def standin_weights(tmp_path, monkeypatch):
    """ImageNet ResNet50 and VGGish where torchvision and tensorflow_hub look for them."""
    from reefclr import registry

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub"))
    standins.imagenet_checkpoint(tmp_path / "torch")
    standins.hub_savedmodel(registry.locate("vggish", None), "vggish")


def test_paper_preset_dry_run(workflow_copy, standin_weights):
    counts = planned_rules(workflow_copy, "--configfile", "presets/paper.yaml")
    assert set(counts) == ALL_RULES - {"make_demo_data"} - DEPLOY_RULES | {"extract_waveform_embeddings", "train_supervised",
                                                            "plot_published"}
    assert counts["extract_embeddings"] == 2  # reefclr, imagenet
    assert counts["extract_waveform_embeddings"] == 1  # vggish
    assert counts["train_supervised"] == 6 and counts["fit_random_forest"] == 3
    assert counts["build_spectrogram_cache"] == 64 + 6
    out = snakemake(workflow_copy, "-n", "--configfile", "presets/paper.yaml")
    assert "gpu=1" in out.stdout  # pretrain_simclr and the supervised ceiling ask for the GPU
    assert "cpus_per_task=17" in out.stdout  # 16 waveform-view workers + the trainer


def _job_resources(stdout: str, rule: str) -> list[str]:
    """The resources line of every planned job of ``rule`` in a dry run's output."""
    blocks = stdout.split("\n\n")
    return [line for b in blocks if f"rule {rule}:" in b for line in b.splitlines() if "resources:" in line]


def test_supervised_asks_for_a_gpu_only_when_it_will_use_one(workflow_copy, standin_weights):
    out = snakemake(workflow_copy, "-n", "--configfile", "presets/paper.yaml")
    lines = _job_resources(out.stdout, "train_supervised")
    assert len(lines) == 6 and all("gpu=1" in line for line in lines)  # supervised.device: cuda
    (workflow_copy / "cpu.yaml").write_text("supervised:\n  device: auto\n")
    out = snakemake(workflow_copy, "-n", "--configfile", "presets/paper.yaml", "cpu.yaml")
    lines = _job_resources(out.stdout, "train_supervised")
    assert len(lines) == 6 and not any("gpu=1" in line for line in lines)


def test_missing_weights_stop_the_dag_naming_the_file(workflow_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    out = snakemake(workflow_copy, "-n", "--configfile", "presets/paper.yaml")
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "embedder imagenet: weights not found at" in text and "resnet50-0676ba61.pth" in text
    assert "download_weights" in text
    assert not (workflow_copy / "results" / "manifests").exists()


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


def test_download_weights_needs_no_weights(workflow_copy, tmp_path, monkeypatch):
    """Where weights are missing, the rule that fetches them still plans (run it where there is internet)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    assert planned_rules(workflow_copy, "--configfile", "presets/paper.yaml", targets=("download_weights",)) == {
        "download_weights": 1}


def _edges(text: str) -> set[tuple[str, str]]:
    """The rule -> rule edges of a Mermaid flowchart (Snakemake's ids resolved to rule names)."""
    import re

    names = dict(re.findall(r"^\s*(id\d+)\[(\w+)\]", text, re.M))
    found = re.findall(r"^\s*([\w]+) --> ([\w]+)", text, re.M)
    return {(names.get(a, a), names.get(b, b)) for a, b in found}


def test_the_readmes_rule_graph_is_the_demos(workflow_copy):
    out = snakemake(workflow_copy, "--quiet", "--rulegraph", "mermaid-js")
    assert out.returncode == 0, out.stderr[-2000:]
    readme = (REPO / "README.md").read_text()
    block = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert _edges(block) == _edges(out.stdout), "README.md's rule graph differs from snakemake --rulegraph"
