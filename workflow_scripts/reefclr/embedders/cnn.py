"""CNN embedders on the study's spectrogram image: ReefCLR, its untrained twin, ImageNet ResNet50."""

from __future__ import annotations

from pathlib import Path

import torch

from reefclr.models.encoders import EncoderArgs, build_encoder, imagenet_resnet50, simclr_init_
from reefclr.embedders.base import EncoderEmbedder, sha256_file
from reefclr.registry import require, spec
from reefclr.settings import Settings


def load_reefclr(settings: Settings, weights: str | None, threads: int = 1) -> EncoderEmbedder:
    """The SimCLR encoder written by ``pretrain_simclr`` (``weights``: its file)."""
    if weights is None:
        raise FileNotFoundError("reefclr: no encoder file given (the pretrain_simclr rule writes it)")
    weights = Path(weights)
    if not weights.exists():
        raise FileNotFoundError(f"{weights}: ReefCLR encoder weights not found (run the pretrain_simclr rule)")
    state = torch.load(weights, map_location="cpu", weights_only=False)
    encoder, dim = build_encoder(EncoderArgs(**state["encoder_args"]))
    encoder.load_state_dict(state["state_dict"])
    return EncoderEmbedder("reefclr", encoder, dim, settings.model_input, sha256_file(weights))


def load_random_init(settings: Settings, weights: str | None = None, threads: int = 1) -> EncoderEmbedder:
    """The ReefCLR architecture, SimCLR-initialised and never trained: the control."""
    p = settings.pretrain
    torch.manual_seed(settings.seed)
    encoder, dim = build_encoder(EncoderArgs(p.encoder, p.width))
    simclr_init_(encoder)
    return EncoderEmbedder("random_init", encoder, dim, settings.model_input, f"random-init-seed-{settings.seed}")


def load_imagenet(settings: Settings, weights: str | None = None, threads: int = 1) -> EncoderEmbedder:
    path = require("imagenet", weights)
    return EncoderEmbedder("imagenet", imagenet_resnet50(path), spec("imagenet").dim, settings.model_input,
                           sha256_file(path))
