"""Encoder registry: image (B, 3, S, S) -> representation h (B, dim)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn


@dataclass(frozen=True)
class EncoderArgs:
    """Everything needed to rebuild an encoder (stored in checkpoints)."""

    name: str = "resnet50"
    width: int = 16  # small_resnet only

    def to_dict(self) -> dict:
        return asdict(self)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (He et al., arXiv:1512.03385)."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class SmallResNet(nn.Module):
    """A four-stage ResNet of width w, 2w, 4w, 8w: the demo's CPU-sized encoder."""

    def __init__(self, width: int = 16):
        super().__init__()
        w = width
        self.stem = nn.Sequential(nn.Conv2d(3, w, 3, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU())
        self.stages = nn.Sequential(
            BasicBlock(w, w, 1), BasicBlock(w, 2 * w, 2), BasicBlock(2 * w, 4 * w, 2), BasicBlock(4 * w, 8 * w, 2)
        )
        self.dim = 8 * w

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.stem(x))  # (B, 8w, S/16, S/16)
        return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)  # (B, 8w)


def _torchvision_resnet(name: str) -> tuple[nn.Module, int]:
    import torchvision

    net = getattr(torchvision.models, name)(weights=None)
    dim = net.fc.in_features
    net.fc = nn.Identity()
    return net, dim


def build_encoder(args: EncoderArgs) -> tuple[nn.Module, int]:
    """The encoder and its output dimension."""
    if args.name in ("resnet50", "resnet18"):
        return _torchvision_resnet(args.name)
    if args.name == "small_resnet":
        net = SmallResNet(args.width)
        return net, net.dim
    raise ValueError(f"unknown encoder {args.name!r}")


def simclr_init_(module: nn.Module) -> None:
    """SimCLR's initialisation: conv weights truncated normal (variance scaling, fan-out,
    scale 2), linear weights normal(std 0.01), linear biases zero."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
            std = math.sqrt(2.0 / fan_out) / 0.87962566103423978  # std of N(0,1) truncated at 2
            nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.01)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def imagenet_resnet50(weights: str | Path) -> torch.nn.Module:
    """torchvision ResNet50 with the IMAGENET1K_V1 state dict at ``weights``, fc removed (2048-d)."""
    import torchvision

    net = torchvision.models.resnet50(weights=None)
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    net.fc = torch.nn.Identity()
    return net
