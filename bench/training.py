"""SimCLR training speed against the machine's limit, and whether the view pipeline keeps up.

Usage: python bench/training.py WORKDIR
1. The ceiling: float32 matmul GFLOP/s (torch.mm of 2048 x 2048, all threads).
2. Training: images/s of fwd+bwd for the demo model (small_resnet width 16, 64 x 64) and
   ResNet50 at 224 x 224, FLOPs counted by torch's FlopCounterMode; achieved GFLOP/s as a
   fraction of the ceiling.
3. Views: views/s of both view sources (device; the study's waveform chain with 0..N
   workers) at 64 and 224, beside the training images/s they must exceed.
Each figure: min/median seconds of 3 runs after a warm-up.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import torch
from common import SPEC, pretrain_cfg, table, timed, tone_cache, write_section
from torch.utils.flop_counter import FlopCounterMode

from reefclr.core.processes import Group
from reefclr.features.cachedset import CachedSet
from reefclr.features.views import ViewSettings, ViewSource
from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import SimCLR
from reefclr.settings import ModelInput


def matmul_ceiling(dtype: torch.dtype, n: int = 2048) -> tuple[float, float]:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    t_min, t_med = timed(lambda: torch.mm(a, b), repeats=5)
    flops = 2 * n**3
    return flops / t_min / 1e9, flops / t_med / 1e9


def fwd_bwd(encoder: str, width: int, size: int, batch: int, channels_last: bool, bf16: bool,
            compile_: bool = False) -> dict:
    model = SimCLR(EncoderArgs(encoder, width), 128).train()
    x = torch.randn(batch, 3, size, size)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()

    def step(net):
        net.zero_grad(set_to_none=True)
        with autocast:
            z = net(x)
        z.float().square().sum().backward()

    with FlopCounterMode(display=False) as counter:
        step(model)
    flops = counter.get_total_flops()
    net = torch.compile(model) if compile_ else model
    t_min, t_med = timed(lambda: step(net), warmup=2 if compile_ else 1)
    return dict(flops_per_image=flops / batch, best=batch / t_min, median=batch / t_med, gflops=flops / t_min / 1e9)


def views_per_s(dirs: list[str], kind: str, size: int, workers: int, method: str, batch: int = 64,
                steps: int = 4) -> float:
    cfg = pretrain_cfg(views=kind, workers=workers, waveform_method=method)
    settings = ViewSettings(cfg, SPEC, ModelInput(size, "power"), 0)
    source = ViewSource(CachedSet.open(dirs), batch, settings, Group(), torch.device("cpu"))

    def run():
        for _ in source.iterate(0, steps):
            pass

    t_min, _ = timed(run, repeats=3, warmup=0)
    return 2 * batch * steps / t_min


def main(workdir: Path) -> None:
    torch.manual_seed(0)
    ceilings = {"fp32": matmul_ceiling(torch.float32), "bf16": matmul_ceiling(torch.bfloat16)}
    rows = []
    train_ips = {}
    variants = [("fp32, NCHW (the layout on CPU)", False, False, False),
                ("fp32, channels_last (CUDA only: oneDNN's AVX2 backward hangs)", True, False, False),
                ("fp32, channels_last, torch.compile (compile: true)", True, False, True),
                ("bf16 autocast, channels_last (precision: bf16)", True, True, False)]
    for label, (enc, width, size, batch) in {"demo model (small_resnet w16, 64 x 64)": ("small_resnet", 16, 64, 128),
                                             "ResNet50, 224 x 224": ("resnet50", 16, 224, 16)}.items():
        for variant, channels_last, bf16, compile_ in variants:
            r = fwd_bwd(enc, width, size, batch, channels_last, bf16, compile_)
            if not channels_last and not bf16 and not compile_:
                train_ips[size] = r["best"]
            ceiling = ceilings["bf16" if bf16 else "fp32"][0]
            rows.append([label, variant, batch, r["flops_per_image"] / 1e9, r["best"], r["median"], r["gflops"],
                         f"{r['gflops'] / ceiling:.0%} of {'bf16' if bf16 else 'fp32'}",
                         f"{r['gflops'] / ceilings['fp32'][0]:.0%}"])
    body = (f"Matmul ceilings (`torch.mm` 2048 x 2048, {torch.get_num_threads()} threads, best / median of 5): "
            f"fp32 **{ceilings['fp32'][0]:.0f}** / {ceilings['fp32'][1]:.0f} GFLOP/s; bf16 (AMX) "
            f"**{ceilings['bf16'][0]:.0f}** / {ceilings['bf16'][1]:.0f} GFLOP/s.\n\n")
    body += table(["model, fwd+bwd", "variant", "batch", "GFLOP/image", "images/s best", "images/s median",
                   "GFLOP/s", "of its ceiling", "of fp32 ceiling"], rows)
    dirs = tone_cache(workdir)
    vrows = []
    for size in (64, 224):
        vrows.append([f"device (cache mel -> batched views), {size} x {size}", 0,
                      views_per_s(dirs, "device", size, 0, "signalsmith_stretch"), train_ips[size]])
        for method in ("signalsmith_stretch", "librosa_phase_vocoder"):
            for workers in (0, 2):
                vrows.append([f"waveform ({method}), {size} x {size}", workers,
                              views_per_s(dirs, "waveform", size, workers, method), train_ips[size]])
    body += ("\n\nViews per second (batch 64 clips = 128 views, 4 steps) against the training images/s at "
             "the same size:\n\n")
    body += table(["view source", "workers", "views/s", "training images/s"], vrows)
    write_section("training", "python bench/training.py /tmp/bench-training", body)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
