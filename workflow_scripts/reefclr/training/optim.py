"""LARS optimiser and the warmup-then-cosine learning-rate schedule of SimCLR."""

from __future__ import annotations

import math

import torch
from torch import nn


def warmup_cosine(step: int, total_steps: int, base_lr: float, warmup_fraction: float,
                  schedule: str = "workflow") -> float:
    """Linear warmup over the first ``warmup_fraction`` of steps, then cosine decay to 0.

    workflow: lr(t) = base * t / W for t < W (the first update at 0); study (its
    ``LinearWarmupAndCosineAnneal``, W = int(fraction * T)): base * (t + 1) / (W + 1) for
    t <= W. Both: base * (1 + cos(pi * (t - W) / (T - W))) / 2 after.
    """
    if schedule == "study":
        warmup = int(warmup_fraction * total_steps)
        if step <= warmup:
            return base_lr * (step + 1) / (warmup + 1)
    elif schedule == "workflow":
        warmup = int(round(warmup_fraction * total_steps))
        if step < warmup:
            return base_lr * step / warmup
    else:
        raise ValueError(f"unknown pretrain.schedule {schedule!r}; known: workflow, study")
    decay_steps = max(1, total_steps - warmup)
    progress = min(1.0, (step - warmup) / decay_steps)
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def _excluded(module: nn.Module, name: str, full_name: str, exclude: str) -> bool:
    if exclude == "type":
        return isinstance(module, nn.modules.batchnorm._BatchNorm) or name == "bias"
    if exclude == "name":
        return "bn" in full_name or "bias" in full_name
    raise ValueError(f"unknown pretrain.exclude {exclude!r}; known: type, name")


def param_groups(model: nn.Module, weight_decay: float, exclude: str = "type") -> list[dict]:
    """Split parameters into a decayed, LARS-adapted group and an excluded one. type: every
    batch norm and every bias excluded; name: the study's rule, a parameter whose name holds
    'bn' or 'bias' (so torchvision's ``downsample.1`` batch norms are decayed and adapted)."""
    regular, excluded = [], []
    for prefix, module in model.named_modules():
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            full = f"{prefix}.{name}" if prefix else name
            (excluded if _excluded(module, name, full, exclude) else regular).append(p)
    return [
        {"params": regular, "weight_decay": weight_decay, "lars": True},
        {"params": excluded, "weight_decay": 0.0, "lars": False},
    ]


class LARS(torch.optim.Optimizer):
    """Layer-wise adaptive rate scaling (You et al., arXiv:1708.03888) as SimCLR uses it.

    For a parameter w with gradient g in a ``lars`` group: g <- g + wd * w, then
    g <- g * eta * ||w|| / ||g|| (when both norms are positive); then heavy-ball momentum:
    v <- m * v + g, w <- w - lr * v.
    """

    def __init__(self, params, lr: float, momentum: float = 0.9, weight_decay: float = 0.0,
                 trust_coefficient: float = 0.001):
        if lr < 0 or not 0 <= momentum < 1 or weight_decay < 0 or trust_coefficient <= 0:
            raise ValueError("LARS: invalid lr, momentum, weight_decay or trust_coefficient")
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                        trust_coefficient=trust_coefficient, lars=True)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"]:
                    g = g.add(p, alpha=group["weight_decay"])
                if group["lars"]:
                    w_norm, g_norm = torch.linalg.vector_norm(p), torch.linalg.vector_norm(g)
                    ratio = torch.where(
                        (w_norm > 0) & (g_norm > 0), group["trust_coefficient"] * w_norm / g_norm,
                        torch.ones_like(w_norm),
                    )
                    g = g.mul(ratio)
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = torch.clone(g).detach()
                else:
                    buf.mul_(group["momentum"]).add_(g)
                p.add_(buf, alpha=-group["lr"])
        return loss
