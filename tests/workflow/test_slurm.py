"""The ci preset submitted through profiles/slurm to a real one-node SLURM (slurmctld +
slurmd + munged, started by tests/slurm/start_slurm.sh). Skips, saying why, where that
cannot run (not root, packages missing, a real cluster configured here)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from snakerun import REPO, copy_workflow

SCRIPTS = REPO / "tests/slurm"


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "starting slurmctld/slurmd needs root"
    for binary in ("slurmctld", "slurmd", "munged", "sbatch", "scontrol"):
        if shutil.which(binary) is None:
            return f"{binary} not installed (apt-get install slurm-wlm munge)"
    conf = Path("/etc/slurm/slurm.conf")
    if conf.exists() and not conf.is_symlink():
        return "a real SLURM is configured at /etc/slurm/slurm.conf"
    return None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = why_not()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("slurm")
    out = subprocess.run(["bash", str(SCRIPTS / "start_slurm.sh"), str(state)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    yield state
    subprocess.run(["bash", str(SCRIPTS / "stop_slurm.sh"), str(state)], timeout=60)


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    wf = copy_workflow(tmp_path_factory.mktemp("slurm_wf") / "wf")
    (wf / "gpu.yaml").write_text("pretrain:\n  gpus: 1\n")
    env = os.environ | {"REEFCLR_SLURM_PARTITION": "debug", "REEFCLR_SLURM_ACCOUNT": "reefclr"}
    cmd = ["timeout", "-k", "10", "1500", sys.executable, "-m", "snakemake", "--profile", "profiles/slurm",
           "--configfile", "config.yaml", "presets/ci.yaml", "gpu.yaml",
           "--slurm-status-command", "squeue",  # no slurmdbd here, so no sacct
           "--cores", "2",  # group jobs no wider than this node
           "--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "3",
           "--set-resources", "pretrain_simclr:cpus_per_task=2", "pretrain_simclr:mem_mb=4000"]
    out = subprocess.run(cmd, cwd=wf, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    return wf, out.stdout + out.stderr


def _slurm_job(log: str, rule: str, kind: str = "rule") -> str:
    """The SLURM job id of ``rule`` (or of a group job of group ``rule``: its log folder is
    group_<group>_<its rules>)."""
    match = re.search(rf"submitted with SLURM jobid (\d+) \(log: [^)]*/{kind}_{rule}[/_]", log)
    assert match, f"no SLURM job of {kind} {rule} in the log"
    return match.group(1)


def test_tables_equal_the_local_run(slurm_run, finished):
    wf, _ = slurm_run
    for table in ("RF_results.csv", "chisq_results.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(wf / "results/tables" / table),
                                      pd.read_csv(finished / "results/tables" / table))


def test_gpu_rule_asked_slurm_for_a_gpu(slurm_run):
    wf, log = slurm_run
    card = json.loads((wf / "results/models/reefclr/model_card.json").read_text())["environment"]
    assert card["slurm_job_id"] == _slurm_job(log, "pretrain_simclr")
    assert card["cuda_visible_devices"] == "0"  # SLURM bound one of the node's two (fake) GPUs
    show = subprocess.run(["scontrol", "show", "job", _slurm_job(log, "pretrain_simclr")], capture_output=True,
                          text=True).stdout
    assert re.search(r"TresPerJob=\S*gpu:1", show), show
    cpu_only = subprocess.run(["scontrol", "show", "job", _slurm_job(log, "evaluate", "group")],
                              capture_output=True, text=True).stdout
    assert "gpu" not in cpu_only


def test_small_jobs_went_to_slurm_in_groups(slurm_run):
    """The ci preset's 47 cluster jobs reach SLURM as 8 submissions (a group job's log folder is
    group_<group>_<its rules>, shortened with '...')."""
    _, log = slurm_run
    submitted = re.findall(r"submitted with SLURM jobid \d+ \(log: [^)]*/(rule|group)_([^/]+)/", log)
    groups = [name.split("_")[0] for kind, name in submitted if kind == "group"]
    assert set(groups) == {"segment", "cache", "embed", "evaluate", "deploy"}
    assert sorted(name for kind, name in submitted if kind == "rule") == ["build_explorer", "pretrain_simclr"]
    print(f"{len(submitted)} SLURM submissions: {sorted(groups)}")
    assert len(submitted) <= 12, submitted


def test_local_rules_did_not_go_to_slurm(slurm_run):
    _, log = slurm_run
    for rule in ("aggregate_tables", "plot_figures", "validate_data", "make_demo_data", "build_results_page"):
        assert f"rule_{rule}/" not in log
