"""Embedders: name -> how to load it and turn a batch of clips into vectors.

Every embedder declares its input (cached mel power, or the waveform at its own sample rate
read from the source audio), its dimension and a checksum of its weights, loads weights
from an explicit place (never a silent substitute; see ``reefclr.catalog``), and embeds in
inference mode. Its registry record (``reefclr.catalog.REGISTRY``) names the loader.
"""

from __future__ import annotations

import importlib

from reefclr.registry import spec
from reefclr.embedders.base import Embedder, EncoderEmbedder, MelStats, embed_dataset, sha256_file, waveform_batches

__all__ = ["Embedder", "EncoderEmbedder", "MelStats", "embed_dataset", "sha256_file", "waveform_batches", "load",
           "load_for_job"]


def load(name: str, cfg: dict, threads: int = 1) -> Embedder:
    """Build embedder ``name`` from its config slice (``catalog.params_slice``; for reefclr,
    ``cfg["weights"]`` is the trained encoder file)."""
    record = spec(name)
    if not record.loader:
        raise ValueError(f"{name} is a classifier trained per test set, not an embedder")
    module, function = record.loader.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)(cfg, threads)


def load_for_job(cfg: dict, weights: list[str], threads: int = 1) -> Embedder:
    """The embedder of a rule's params slice; ReefCLR's weights are the job's input encoder."""
    if cfg["name"] == "reefclr":
        cfg = cfg | {"weights": weights[0]}  # the encoder this workflow trained
    return load(cfg["name"], cfg, threads)
