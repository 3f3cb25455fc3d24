"""CNN embedders on the study's spectrogram image: ReefCLR, its untrained twin, ImageNet ResNet50."""

from __future__ import annotations

from pathlib import Path

import torch

from reefclr.models.encoders import EncoderArgs, build_encoder, simclr_init_
from reefclr.embedders.base import EncoderEmbedder, sha256_file
from reefclr.registry import require


def load_reefclr(cfg: dict, threads: int = 1) -> EncoderEmbedder:
    """The SimCLR encoder written by ``pretrain_simclr`` (``cfg["weights"]``)."""
    weights = Path(cfg["weights"])
    if not weights.exists():
        raise FileNotFoundError(f"{weights}: ReefCLR encoder weights not found (run the pretrain_simclr rule)")
    state = torch.load(weights, map_location="cpu", weights_only=False)
    encoder, dim = build_encoder(EncoderArgs(**state["encoder_args"]))
    encoder.load_state_dict(state["state_dict"])
    return EncoderEmbedder("reefclr", encoder, dim, cfg["model_input"], sha256_file(weights))


def load_random_init(cfg: dict, threads: int = 1) -> EncoderEmbedder:
    """The ReefCLR architecture, SimCLR-initialised and never trained: the control."""
    torch.manual_seed(cfg["seed"])
    encoder, dim = build_encoder(EncoderArgs(cfg["encoder"], cfg["width"]))
    simclr_init_(encoder)
    return EncoderEmbedder("random_init", encoder, dim, cfg["model_input"], f"random-init-seed-{cfg['seed']}")


def imagenet_resnet50(weights: str | Path) -> torch.nn.Module:
    """torchvision ResNet50 with the IMAGENET1K_V1 state dict at ``weights``, fc removed (2048-d)."""
    import torchvision

    net = torchvision.models.resnet50(weights=None)
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    net.fc = torch.nn.Identity()
    return net


def load_imagenet(cfg: dict, threads: int = 1) -> EncoderEmbedder:
    path = require("imagenet", cfg["weights"])
    return EncoderEmbedder("imagenet", imagenet_resnet50(path), 2048, cfg["model_input"], sha256_file(path))
