"""Fixtures of the workflow tests."""

from pathlib import Path

import pytest
from snakerun import copy_workflow, snakemake


@pytest.fixture
def workflow_copy(tmp_path) -> Path:
    return copy_workflow(tmp_path / "wf")


@pytest.fixture(scope="session")
def finished(tmp_path_factory):
    """The workflow after a real local run of presets/ci.yaml and its report; every job wrote the
    settings it read to .traces/ (test_params_hold_reads)."""
    wf = copy_workflow(tmp_path_factory.mktemp("e2e") / "wf")
    out = snakemake(wf, "--cores", "2", "--configfile", "config.yaml", "presets/ci.yaml",
                    env={"REEFCLR_TRACE_SETTINGS": str(wf / ".traces")})
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    report = snakemake(wf, "--configfile", "config.yaml", "presets/ci.yaml", "--report", "results/report.html")
    assert report.returncode == 0, report.stderr[-3000:]
    return wf
