"""The training device, chosen and checked before any training step.

A CUDA node can fail in ways a CPU test never shows: the torch build's CUDA needs a newer
driver (torch.cuda.is_available() is then False), the build has no kernels for the GPU's
compute capability (a V100, 7.0, under a CUDA 13 build), fewer GPUs are visible than the
run asks for, or bf16 is asked on a GPU without it. Each stops the job at once with what
is wrong and how to fix it, instead of an "invalid device ordinal" on rank 1.
"""

from __future__ import annotations

import os

import torch

BUILDS = ("This torch build targets CUDA {cuda}; its kernels cover {archs}. CUDA 13 builds need NVIDIA "
          "driver 580 or newer and dropped compute capability 7.0 (V100). For an older driver or GPU, "
          "install the same torch version built for CUDA 12 from PyTorch's CUDA 12.6 wheel index "
          "(pip install torch==<version> torchvision==<version> --index-url <PyTorch cu126 index>), "
          "or set {key}: cpu.")


def _build_facts(key: str) -> str:
    return BUILDS.format(cuda=torch.version.cuda, archs=", ".join(torch.cuda.get_arch_list()) or "none", key=key)


def pick_device(choice: str, key: str = "pretrain.device") -> torch.device:
    """'auto' takes CUDA when present; 'cuda' without a usable CUDA device is an error that
    names the torch build and what it needs."""
    if choice == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"{key} is 'cuda' but no CUDA device is visible "
                           f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}). " + _build_facts(key))
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


def memory_format(device: torch.device) -> torch.memory_format:
    """The convolution layout: channels_last on CUDA; on CPU the default layout, because with
    oneDNN's AVX2 kernels (ONEDNN_MAX_CPU_ISA=AVX2, and CPUs without AVX512) the backward pass of
    channels_last convolutions hangs or crashes in about half the runs (torch 2.14.1: 3 of 6
    small-ResNet runs; 0 of 6 in the default layout). With AVX512 kernels channels_last trains
    about 25% faster (docs/benchmarks.md), not worth a job that may never end."""
    return torch.channels_last if device.type == "cuda" else torch.contiguous_format


def compile_model(net: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """``torch.compile`` keeping ``memory_format``'s layout: on CPU Inductor's layout
    optimisation (which turns convolutions channels_last) is off, for the same oneDNN bug
    (with AVX2 kernels the compiled backward crashed 3 of 3 runs with it, 0 of 3 without)."""
    if device.type != "cuda":
        import torch._inductor.config as inductor

        inductor.layout_optimization = False
    return torch.compile(net)


def uses_bf16(precision: str, device: torch.device) -> bool:
    """bf16 autocast: ``precision`` bf16, or ``auto`` on CUDA."""
    return precision == "bf16" or (precision == "auto" and device.type == "cuda")


def _supported(capability: tuple[int, int], archs: list[str]) -> bool:
    """Kernels for ``capability``: its own sm_XY, or PTX (compute_XY) of an equal or lower one
    of the same major version that the driver can compile."""
    major, minor = capability
    if f"sm_{major}{minor}" in archs:
        return True
    ptx = [a for a in archs if a.startswith("compute_")]
    return any(int(a.removeprefix("compute_")) <= major * 10 + minor for a in ptx)


def check_cuda(gpus: int, bf16: bool, key: str = "pretrain") -> None:
    """Before training on CUDA: enough visible GPUs, kernels for each, bf16 where asked."""
    visible = torch.cuda.device_count()
    if gpus > visible:
        raise RuntimeError(f"{key}.gpus is {gpus} but only {visible} CUDA device(s) are visible "
                           f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}); ask the scheduler "
                           f"for {gpus} GPUs (--resources gpu={gpus}, or --gpus under SLURM) or lower {key}.gpus")
    archs = torch.cuda.get_arch_list()
    for i in range(max(1, gpus)):
        capability = torch.cuda.get_device_capability(i)
        name = torch.cuda.get_device_name(i)
        if not _supported(capability, archs):
            raise RuntimeError(f"GPU {i} ({name}) has compute capability {capability[0]}.{capability[1]}, "
                               "which this torch build has no kernels for. " + _build_facts(f"{key}.device"))
    if bf16 and not torch.cuda.is_bf16_supported():
        raise RuntimeError(f"{key}.precision asks for bf16 but GPU 0 ({torch.cuda.get_device_name(0)}, compute "
                           f"capability {'.'.join(map(str, torch.cuda.get_device_capability(0)))}) has no native "
                           f"bf16 (needs 8.0 or newer); set {key}.precision: fp32")
