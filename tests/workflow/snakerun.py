"""Helpers that run Snakemake itself on a copy of the workflow in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKFLOW_PARTS = ["Snakefile", "config.yaml", "rules", "workflow_scripts", "schemas", "presets", "report", "reference",
                  "envs", "profiles"]


def copy_workflow(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def snakemake(workdir: Path, *args: str, timeout: int = 1200, env: dict | None = None) -> subprocess.CompletedProcess:
    """``snakemake ARGS`` in ``workdir`` (with ``env`` added to the environment); output captured."""
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def planned_rules(workdir: Path, *args: str, targets: tuple[str, ...] = ()) -> dict[str, int]:
    """Rule -> job count of a dry run (empty when nothing is to be done)."""
    out = snakemake(workdir, *targets, "-n", "--quiet", "rules", *args)
    assert out.returncode == 0, out.stdout + out.stderr
    return job_counts(out.stdout)


def job_counts(stdout: str) -> dict[str, int]:
    """Rule -> job count of a dry run's ``--quiet rules`` table."""
    counts: dict[str, int] = {}
    in_table = False
    for line in stdout.splitlines():
        parts = line.split()
        if parts[:2] == ["job", "count"]:
            in_table = True
            continue
        if in_table and len(parts) == 2 and parts[1].isdigit():
            if parts[0] == "total":
                break
            counts[parts[0]] = int(parts[1])
    return counts
