"""The GPU paths that CPU tests cannot show, in one short run (bench/gpu_check.sh).

Each check trains through the workflow's own code on a cache of synthetic tone recordings
and records images/s, peak GPU memory per process and whether the loss fell:
1. the paper recipe (ResNet50, 224 x 224, LARS, batch 512 clips = 1,024 views, halved until
   it fits) for a few hundred steps in fp32 and in bf16;
2. torch.compile, in one process and, with two or more GPUs, under DDP;
3. two data-parallel processes (torchrun, SyncBatchNorm) when two GPUs are visible (NCCL
   refuses two ranks on one GPU; the row says so);
4. the supervised ceiling's training loop for a few epochs on the GPU;
5. the clear failures: more GPUs asked than visible.
With ``--device cuda`` it writes the `gpu` section of docs/benchmarks.md; ``--device cpu
--tiny`` runs every path in a minute on a laptop (nothing written), to check the script.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import torch
from dataclasses import replace

from common import SPEC, defaults, pretrain_cfg, table, tone_cache, write_section

from reefclr.features.cachedset import CachedSet
from reefclr.features.views import ViewSettings
from reefclr.settings import ModelInput
from reefclr.training import train
from reefclr.training.supervised import SupervisedJob, train_supervised


def job(name: str, dirs: list[str], cfg, size: int, work: Path) -> train.PretrainJob:
    """A pretraining job over ``dirs`` at image size ``size`` (the run's name is its hash)."""
    return train.PretrainJob(tuple(dirs), ViewSettings(cfg, SPEC, ModelInput(size, "power"), 0),
                             str(work / f"{name}.pt"), name, threads=os.cpu_count())


def peak_gb(device: str) -> float:
    return torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else float("nan")


def reset_peak(device: str) -> None:
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def summary(history: list[dict]) -> tuple[float, float, float]:
    """(median images/s of the second half, mean loss of the first and of the last 10% of steps)."""
    n = len(history)
    tail = max(1, n // 10)
    rate = float(np.median([h["images_per_s"] for h in history[n // 2 :]]))
    return rate, float(np.mean([h["loss"] for h in history[:tail]])), float(np.mean([h["loss"] for h in history[-tail:]]))


def simclr_row(name: str, dirs: list[str], cfg, size: int, device: str, work: Path) -> list:
    """Train with ``cfg``; halve the batch on out-of-memory."""
    batch = cfg.batch_size
    while True:
        reset_peak(device)
        try:
            result = train.pretrain(job(f"{name}-{batch}", dirs, replace(cfg, batch_size=batch), size, work))
            break
        except torch.OutOfMemoryError:
            if batch <= 8:
                raise
            batch //= 2
    rate, first, last = summary(result.history)
    return [name, batch, len(result.history), rate, peak_gb(device), f"{first:.3f} -> {last:.3f}",
            "ok" if last < first else "loss did not fall"]


def ddp_row(name: str, dirs: list[str], cfg, size: int, work: Path) -> list:
    """Two processes under torchrun through the rule's launcher; peak memory of rank 0 (the
ranks hold equal shares of the batch)."""
    t0 = time.perf_counter()
    result = train.launch(job(name, dirs, cfg, size, work), work / f"{name}.json")
    rate, first, last = summary(result.history)
    peak = result.sessions[-1].get("peak_gpu_gb", float("nan"))  # rank 0's
    return [name, cfg.batch_size, len(result.history), rate, peak, f"{first:.3f} -> {last:.3f}",
            f"ok ({time.perf_counter() - t0:.0f} s with start-up)" if last < first else "loss did not fall"]


def supervised_row(dirs: list[str], device: str, epochs: int, image_size: int) -> list:
    reset_peak(device)
    settings = defaults(model_input={"image_size": image_size}, spectrogram={"batch_size": SPEC.batch_size},
                        supervised=dict(encoder="resnet50", init="random", epochs=epochs, split="study",
                                        views="device", precision="fp32", device=device))
    t0 = time.perf_counter()
    record, history = train_supervised(CachedSet.open(dirs), SupervisedJob.of(settings, "supervised"), None)
    seconds = time.perf_counter() - t0
    first, last = history.loss.iloc[0], history.loss.iloc[-1]
    return ["supervised ceiling (ResNet50, batch 64)", 64, epochs, record["n_train"] * epochs / seconds,
            peak_gb(device), f"{first:.3f} -> {last:.3f}", f"ok on {record['device']}, test F1 {record['test_f1']:.2f}"]


def failure_row(cfg, size: int, work: Path) -> list:
    visible = torch.cuda.device_count()
    try:
        train.launch(job("x", [], replace(cfg, gpus=visible + 1), size, work), work / "x.json")
        status = "NOT stopped"
    except RuntimeError as exc:
        status = "stopped: " + str(exc).split(";")[0]
    return [f"gpus: {visible + 1} with {visible} visible", "", "", float("nan"), float("nan"), "", status]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--tiny", action="store_true", help="small model and batch: checks the paths, not speed")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--work", default="/tmp/reefclr-gpu-check")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    device, tiny = args.device, args.tiny
    dirs = tone_cache(work / "data", sites=4, seconds=40 if tiny else 300)  # 80 or 624 clips
    size = 32 if tiny else 224
    steps = 4 if tiny else args.steps
    base = pretrain_cfg(encoder="small_resnet" if tiny else "resnet50", width=4, batch_size=8 if tiny else 512,
                        steps=steps, warmup_fraction=0.1, checkpoint_every=10**6, log_every=10**6, views="device",
                        device=device, gpus=1 if device == "cuda" else 0, knn={"dataset": None, "every": 1, "k": 1})
    gpus = torch.cuda.device_count() if device == "cuda" else 0
    checks = [
        ("paper recipe, fp32", lambda: simclr_row("fp32", dirs, replace(base, precision="fp32"), size, device, work)),
        ("paper recipe, bf16", lambda: simclr_row("bf16", dirs, replace(base, precision="bf16"), size, device, work)),
        ("torch.compile, bf16", lambda: simclr_row("compile-bf16", dirs, replace(
            base, precision="bf16", compile=True, steps=max(4, steps // 2)), size, device, work)),
    ]
    if device == "cpu" or gpus >= 2:
        ddp = replace(base, gpus=2, precision="bf16" if device == "cuda" else "fp32", steps=max(4, steps // 2),
                      batch_size=min(base.batch_size, 256))
        checks += [("2 processes, DDP + SyncBatchNorm", lambda: ddp_row("ddp2", dirs, ddp, size, work)),
                   ("2 processes, DDP + torch.compile", lambda: ddp_row("ddp2-compile", dirs,
                                                                         replace(ddp, compile=True), size, work))]
    checks.append(("supervised", lambda: supervised_row(dirs, device, 2 if tiny else 5, size)))
    if device == "cuda":
        checks.append(("failure", lambda: failure_row(base, size, work)))
    rows = []
    for name, run in checks:
        print(f"== {name}", flush=True)
        try:
            rows.append(run())
        except Exception as exc:  # a failed check is a row, not the end of the run
            traceback.print_exc()
            rows.append([name, "", "", float("nan"), float("nan"), "", f"FAILED: {type(exc).__name__}: {exc}"[:200]])
    if device == "cuda" and gpus < 2:
        rows.append(["2 processes", "", "", float("nan"), float("nan"), "",
                     "not run: one GPU visible (NCCL needs one GPU per process)"])
    header = ["check", "batch (clips)", "steps", "images/s", "peak GPU GB", "loss first -> last", "status"]
    body = table(header, rows)
    body += (f"\n\ntorch {torch.__version__}, CUDA {torch.version.cuda}, "
             f"{torch.cuda.get_device_name(0) if gpus else 'no GPU'}, {gpus} GPU(s) visible.")
    print(body)
    (work / "gpu_check.json").write_text(json.dumps(rows, default=str))
    if device == "cuda" and not tiny:
        write_section("gpu", "bash bench/gpu_check.sh", body)


if __name__ == "__main__":
    sys.exit(main())
