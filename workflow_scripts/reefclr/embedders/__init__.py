"""Embedders: name -> how to load it and turn a batch of clips into vectors.

Every embedder is one record of ``reefclr.registry`` (its input, sample rate, window,
dimension, weights) and one module here with a ``load(settings, weights, threads)`` function.
Weights come from an explicit place (never a silent substitute), and embedding runs in
inference mode. Light: importing this package loads no model library; ``load`` imports the
embedder's module.

May import: core, the spine, data, features, models.
"""

from __future__ import annotations

import importlib

from reefclr.registry import spec
from reefclr.settings import Settings


def load(name: str, settings: Settings, weights: str | None = None, threads: int = 1):
    """Build embedder ``name`` (its registry record's loader); ``weights``: the trained encoder
    file (weights ``trained``), or None for the configured or standard place."""
    record = spec(name)
    if not record.loader:
        raise ValueError(f"{name} is a classifier trained per test set, not an embedder")
    module, function = record.loader.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)(settings, weights, threads)


def load_for_job(name: str, settings: Settings, inputs: list[str], threads: int = 1):
    """The embedder of a job; one whose weights this workflow trains reads them from the job's
    input (the encoder file), any other from the settings or its standard place."""
    weights = inputs[0] if spec(name).weights == "trained" else settings.embed.weights.get(name)
    return load(name, settings, weights, threads)
