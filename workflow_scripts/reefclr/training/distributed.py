"""Data-parallel SimCLR: process group from torchrun's environment, a gather with gradients,
and a batch norm synchronised across processes that works on CPU (gloo) and CUDA (nccl).

One process per device; each holds ``batch / world`` clips of every step. The NT-Xent loss
is computed on the gathered projections of the whole global batch, and every batch norm
normalises with the statistics of the whole global batch, so a run on W processes computes
the loss and gradients of a one-process run of the same global batch.
"""

from __future__ import annotations

import datetime
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from reefclr.core.processes import Group


def init_from_env(device_type: str) -> Group:
    """Join the process group that ``torchrun`` describes in the environment (or none)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Group()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device_type == "cuda" else "gloo",
                                timeout=datetime.timedelta(minutes=60))
    return Group(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def shutdown(group: Group) -> None:
    if group.world > 1 and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


class _GatherWithGrad(torch.autograd.Function):
    """All-gather along dim 0; the backward sums every process's gradient of its slice."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.rank, ctx.world = dist.get_rank(), dist.get_world_size()
        parts = [torch.empty_like(x) for _ in range(ctx.world)]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad.chunk(ctx.world)[ctx.rank]


def gather(x: torch.Tensor) -> torch.Tensor:
    """(n, ...) per process -> (world * n, ...) in rank order; identity without a group."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return x
    return _GatherWithGrad.apply(x)


class GlobalBatchNorm(_BatchNorm):
    """Batch norm over the global batch of all processes (SimCLR's synchronised BN).

    Per-process mean and sum of squared deviations are gathered and combined exactly
    (Chan et al.'s parallel variance), in float32; without a process group, or in eval
    mode, it is an ordinary batch norm.
    """

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() not in (2, 3, 4, 5):
            raise ValueError(f"expected 2D-5D input, got {x.dim()}D")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (self.training and dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(x)
        c = x.shape[1]
        dims = [0, *range(2, x.dim())]
        shape = [1, c] + [1] * (x.dim() - 2)
        x32 = x.float()
        count = x32.numel() // c
        mean = x32.mean(dims)
        m2 = (x32 - mean.view(shape)).square().sum(dims)
        stats = gather(torch.stack([mean, m2, torch.full_like(mean, count)]).unsqueeze(0))  # (W, 3, C)
        means, m2s, counts = stats[:, 0], stats[:, 1], stats[:, 2]
        total = counts.sum(0)
        g_mean = (counts * means).sum(0) / total
        g_m2 = (m2s + counts * (means - g_mean).square()).sum(0)
        var = g_m2 / total
        y = (x32 - g_mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * g_mean)
                self.running_var.mul_(1 - m).add_(m * g_m2 / (total - 1).clamp_min(1))
        return y.to(x.dtype)


def convert_batchnorm(module: nn.Module, kind: str = "global") -> nn.Module:
    """Batch norm over the global batch: ``torch`` converts to torch's SyncBatchNorm (CUDA,
    fused kernels, about a third of GlobalBatchNorm's saved activations); ``global`` replaces
    every batch norm by a GlobalBatchNorm sharing its parameters, buffers and frozen/trainable
    state (any backend, CPU included)."""
    if kind == "torch":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    if isinstance(module, _BatchNorm) and not isinstance(module, GlobalBatchNorm):
        new = GlobalBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                              module.track_running_stats)
        if module.affine:
            new.weight, new.bias = module.weight, module.bias
        if module.track_running_stats:
            new.running_mean, new.running_var = module.running_mean, module.running_var
            new.num_batches_tracked = module.num_batches_tracked
        return new
    for name, child in module.named_children():
        setattr(module, name, convert_batchnorm(child, kind))
    return module
