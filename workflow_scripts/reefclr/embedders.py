"""Embedder registry: name -> how to load it and turn a batch of clips into vectors.

Every embedder declares its input (``"mel"``: cached mel power) and dimension, loads its
weights from an explicit file (never a silent substitute), and embeds in inference mode.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from .cache import CachedSet
from .models.encoders import EncoderArgs, build_encoder, simclr_init_
from .spectrogram import to_image

log = logging.getLogger(__name__)

class Embedder:
    """Base: ``dim``, ``input``, ``weights_sha256`` and ``embed(mel_batch) -> (B, dim)``."""

    name = ""
    input = "mel"
    weights_sha256 = ""
    dim = 0

    def embed(self, mel: torch.Tensor) -> np.ndarray:
        raise NotImplementedError


class EncoderEmbedder(Embedder):
    """A CNN encoder on the study's spectrogram image; returns h."""

    def __init__(self, name: str, encoder: torch.nn.Module, dim: int, input_cfg: dict, weights_sha256: str):
        self.name, self.encoder, self.dim = name, encoder.eval(), dim
        self.input_cfg, self.weights_sha256 = input_cfg, weights_sha256

    @torch.inference_mode()
    def embed(self, mel: torch.Tensor) -> np.ndarray:
        x = to_image(mel, self.input_cfg["image_size"], self.input_cfg["scale"])
        return self.encoder(x).float().cpu().numpy()


class MelStats(Embedder):
    """Non-learned baseline: mean and standard deviation of log-mel power per band."""

    name = "mel_stats"

    def __init__(self, n_mels: int):
        self.dim = 2 * n_mels

    def embed(self, mel: torch.Tensor) -> np.ndarray:
        logmel = torch.log10(mel.clamp_min(1e-10))  # (B, n_mels, T)
        return torch.cat([logmel.mean(dim=2), logmel.std(dim=2)], dim=1).numpy()


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


def embed_dataset(embedder: Embedder, data: CachedSet, batch_size: int) -> pd.DataFrame:
    """Embeddings of every clip of ``data``: manifest columns + e0000.. columns."""
    chunks = []
    for start in tqdm(range(0, len(data), batch_size), desc=f"embed {embedder.name}", mininterval=5):
        pos = np.arange(start, min(start + batch_size, len(data)))
        chunks.append(embedder.embed(torch.from_numpy(data.mel(pos))))
    vectors = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0, embedder.dim), np.float32)
    if not np.isfinite(vectors).all():
        raise ValueError(f"{embedder.name}: non-finite embeddings ({int((~np.isfinite(vectors)).sum())} values)")
    meta = data.index[["clip_id", "source", "offset_s", "label", "dataset", "group", "site"]].reset_index(drop=True)
    cols = pd.DataFrame(vectors, columns=[f"e{i:04d}" for i in range(vectors.shape[1])])
    return pd.concat([meta, cols], axis=1)


def load(name: str, *, weights: str | None, cfg: dict) -> Embedder:
    """Build the embedder ``name`` from its config slice (see rules/common.smk)."""
    if name == "reefclr":
        return load_reefclr(weights, cfg["model_input"])
    if name == "random_init":
        return load_random_init(cfg["encoder"], cfg["width"], cfg["model_input"], cfg["seed"])
    if name == "mel_stats":
        return MelStats(cfg["n_mels"])
    raise ValueError(f"unknown embedder {name!r}; known: reefclr, random_init, mel_stats")
