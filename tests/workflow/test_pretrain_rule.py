"""pretrain_simclr as Snakemake runs it: killed with SIGKILL and rerun, and under torchrun."""

import json
import os
import signal
import subprocess
import sys
import time

import torch
import yaml
from snakerun import snakemake

ENCODER = "results/models/reefclr/encoder.pt"
CHECKPOINT = "results/models/reefclr/checkpoints/last.pt"
CARD = "results/models/reefclr/model_card.json"


def _overlay(wf, name, **pretrain):
    """presets/ci.yaml with pretrain overrides, as a second config file."""
    (wf / name).write_text(yaml.safe_dump({"pretrain": pretrain}))
    return ["--configfile", "config.yaml", "presets/ci.yaml", name]


def _checkpoint_step(wf) -> int:
    return torch.load(wf / CHECKPOINT, map_location="cpu", weights_only=False)["step"]


def test_sigkill_then_rerun_resumes_and_ends_with_the_same_weights(workflow_copy):
    wf = workflow_copy
    config = _overlay(wf, "long.yaml", steps=60, checkpoint_every=5)
    job = subprocess.Popen([sys.executable, "-m", "snakemake", ENCODER, "--cores", "2", *config], cwd=wf,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 600
    while not (wf / CHECKPOINT).exists() and job.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(job.pid, signal.SIGKILL)  # Snakemake, the job's script and anything they started
    job.wait()
    killed_at = _checkpoint_step(wf)
    assert 0 < killed_at < 60 and not (wf / ENCODER).exists()

    assert snakemake(wf, "--unlock", *config).returncode == 0  # a killed Snakemake leaves its lock
    rerun = snakemake(wf, ENCODER, "--cores", "2", "--rerun-incomplete", *config)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    log = (wf / "logs/pretrain_simclr/reefclr.log").read_text()
    assert "resumed from" in log and _checkpoint_step(wf) == 60
    sessions = json.loads((wf / CARD).read_text())["sessions"]
    assert sessions[0]["start_step"] == 0 and sessions[-1]["start_step"] >= killed_at
    resumed = torch.load(wf / ENCODER, weights_only=False)["state_dict"]

    (wf / CHECKPOINT).unlink()
    fresh = snakemake(wf, ENCODER, "--cores", "2", "--forcerun", "pretrain_simclr", *config)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert len(json.loads((wf / CARD).read_text())["sessions"]) == 1
    uninterrupted = torch.load(wf / ENCODER, weights_only=False)["state_dict"]
    for name, value in uninterrupted.items():
        torch.testing.assert_close(resumed[name], value, msg=name)


def test_two_gpus_launch_two_data_parallel_processes(workflow_copy):
    """pretrain.gpus: 2 on a CPU-only machine: torchrun starts 2 gloo processes."""
    wf = workflow_copy
    config = _overlay(wf, "ddp.yaml", gpus=2, device="cpu", steps=4)
    out = snakemake(wf, ENCODER, "--cores", "2", "--resources", "gpu=2", *config)
    assert out.returncode == 0, out.stderr[-3000:]
    card = json.loads((wf / CARD).read_text())
    assert card["sessions"][-1]["processes"] == 2 and card["steps"] == 4
    log = (wf / "logs/pretrain_simclr/reefclr.log").read_text()
    assert "torch.distributed.run --standalone --nproc_per_node=2" in log
