"""Embedder registry: name -> how to load it and turn a batch of clips into vectors.

Every embedder declares its input (cached mel power, or the waveform at its own sample rate
read from the source audio), its dimension and a checksum of its weights, loads weights
from an explicit place (never a silent substitute; see ``weights``), and embeds in inference
mode. ``supervised`` and ``supervised_from_reefclr`` are not embedders but classifiers
trained per test set (``reefclr.supervised``); they share the RF table.
"""

from __future__ import annotations

from ..catalog import FEATURE_EMBEDDERS, SUPERVISED, WAVEFORM_EMBEDDERS
from .base import Embedder, EncoderEmbedder, MelStats, embed_dataset, sha256_file, waveform_batches
from .cnn import load_imagenet, load_random_init, load_reefclr

__all__ = ["Embedder", "EncoderEmbedder", "MelStats", "embed_dataset", "sha256_file",
           "waveform_batches", "load", "FEATURE_EMBEDDERS", "SUPERVISED", "WAVEFORM_EMBEDDERS"]


def load(name: str, *, weights: str | None, cfg: dict) -> Embedder:
    """Build the mel-input embedder ``name`` from its config slice (``get_embedder_params`` in
    rules/common.smk); waveform embedders: ``reefclr.embedders.waveform.load``."""
    if name == "reefclr":
        return load_reefclr(weights, cfg["model_input"])
    if name == "random_init":
        return load_random_init(cfg["encoder"], cfg["width"], cfg["model_input"], cfg["seed"])
    if name == "mel_stats":
        return MelStats(cfg["n_mels"])
    if name == "imagenet":
        return load_imagenet(cfg["weights"], cfg["model_input"])
    if name in WAVEFORM_EMBEDDERS:
        raise ValueError(f"{name} embeds waveforms: load it with reefclr.embedders.waveform.load")
    raise ValueError(f"unknown embedder {name!r}; known: {', '.join(FEATURE_EMBEDDERS)}")
