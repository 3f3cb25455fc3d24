"""CNN embedders on the study's spectrogram image: ReefCLR, its untrained twin, ImageNet ResNet50."""

from __future__ import annotations

from pathlib import Path

import torch

from ..models.encoders import EncoderArgs, build_encoder, simclr_init_
from .base import EncoderEmbedder, sha256_file
from ..catalog import require


def load_reefclr(weights: str | Path, input_cfg: dict) -> EncoderEmbedder:
    """The SimCLR encoder written by ``pretrain_simclr``."""
    weights = Path(weights)
    if not weights.exists():
        raise FileNotFoundError(f"{weights}: ReefCLR encoder weights not found (run the pretrain_simclr rule)")
    state = torch.load(weights, map_location="cpu", weights_only=False)
    encoder, dim = build_encoder(EncoderArgs(**state["encoder_args"]))
    encoder.load_state_dict(state["state_dict"])
    return EncoderEmbedder("reefclr", encoder, dim, input_cfg, sha256_file(weights))


def load_random_init(encoder_name: str, width: int, input_cfg: dict, seed: int) -> EncoderEmbedder:
    """The ReefCLR architecture, SimCLR-initialised and never trained: the control."""
    torch.manual_seed(seed)
    encoder, dim = build_encoder(EncoderArgs(encoder_name, width))
    simclr_init_(encoder)
    return EncoderEmbedder("random_init", encoder, dim, input_cfg, f"random-init-seed-{seed}")


def imagenet_resnet50(weights: str | Path) -> torch.nn.Module:
    """torchvision ResNet50 with the IMAGENET1K_V1 state dict at ``weights``, fc removed (2048-d)."""
    import torchvision

    net = torchvision.models.resnet50(weights=None)
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    net.fc = torch.nn.Identity()
    return net


def load_imagenet(weights: str | None, input_cfg: dict) -> EncoderEmbedder:
    path = require("imagenet", weights)
    return EncoderEmbedder("imagenet", imagenet_resnet50(path), 2048, input_cfg, sha256_file(path))
