"""Activation memory of ResNet50 training per view, by batch-norm kind and precision.

Counts the bytes autograd saves for the backward pass (saved-tensor hooks, each storage
once) of one forward pass of the paper's model (ResNet50 + projection head, 224 x 224) on
the CPU: the part of training memory that grows with the batch, the same on a GPU up to
allocator slack and cuDNN workspaces. GlobalBatchNorm runs its data-parallel path (two
simulated processes holding the same batch); torch's SyncBatchNorm saves what plain batch
norm saves (its CUDA kernel keeps the input and per-channel statistics), so plain batch norm
stands for it here. Writes the `bnmem` section of docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
from unittest import mock

import torch
from common import table, write_section
from reefclr.training import distributed
from reefclr.training.distributed import convert_batchnorm
from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import SimCLR

BATCH = 4
PAPER_VIEWS = 1024  # 512 clips x 2 views per step


def saved_bytes(model: torch.nn.Module, x: torch.Tensor, bf16: bool) -> int:
    """Bytes of the distinct storages autograd saves in one forward pass."""
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor):
        storage = t.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
        return t

    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), autocast:
        model(x)
    return sum(seen.values())


@contextlib.contextmanager
def two_processes():
    """GlobalBatchNorm's data-parallel path with a simulated second process (same batch)."""
    with mock.patch.object(distributed.dist, "is_initialized", lambda: True), \
         mock.patch.object(distributed.dist, "get_world_size", lambda: 2), \
         mock.patch.object(distributed, "gather", lambda t: torch.cat([t, t])):
        yield


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(BATCH, 3, 224, 224).contiguous(memory_format=torch.channels_last)
    rows = []
    for kind in ("plain / SyncBatchNorm", "GlobalBatchNorm"):
        for bf16 in (False, True):
            model = SimCLR(EncoderArgs("resnet50", 16), 128).to(memory_format=torch.channels_last).train()
            ctx = contextlib.nullcontext()
            if kind == "GlobalBatchNorm":
                model = convert_batchnorm(model, "global")
                ctx = two_processes()
            with ctx:
                per_view = saved_bytes(model, x, bf16) / BATCH / 2**20
            rows.append([kind, "bf16" if bf16 else "fp32", per_view, per_view * PAPER_VIEWS / 1024,
                         per_view * PAPER_VIEWS / 2 / 1024])
    body = table(["batch norm", "precision", "saved MB per view", "paper batch, 1 GPU (GB)",
                  "per GPU, 2 GPUs (GB)"], rows)
    body += ("\n\nSaved activations only: add weights, gradients and LARS state (about 0.9 GB for "
             "ResNet50 + head in fp32) and the allocator's slack.")
    write_section("bnmem", "python bench/batchnorm_memory.py", body)


if __name__ == "__main__":
    main()
