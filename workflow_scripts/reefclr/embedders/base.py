"""What every embedder is, and how a test set is embedded (from the cache or the source audio)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from reefclr.data.audio import iter_clips
from reefclr.features.cachedset import CachedSet
from reefclr.features.spectrogram import to_image
from reefclr.registry import spec
from reefclr.settings import Audio, ModelInput, Settings

log = logging.getLogger(__name__)

META_COLUMNS = ["clip_id", "source", "offset_s", "label", "dataset", "group", "site", "entry"]


class Embedder:
    """An embedder of the registry (``name``): its record's ``input`` ("mel": cached mel power,
    batches (B, n_mels, T); "waveform": mono float32 at ``sample_rate`` read from the source
    audio, batches (B, samples)), ``sample_rate`` and ``dim`` (set here where the config
    decides them); ``embed`` -> (B, dim)."""

    weights_sha256 = ""

    def __init__(self, name: str):
        self.spec = spec(name)
        self.name, self.input = name, self.spec.input
        self.sample_rate, self.dim, self.licence = self.spec.sample_rate, self.spec.dim, self.spec.licence

    def embed(self, batch) -> np.ndarray:
        raise NotImplementedError


class EncoderEmbedder(Embedder):
    """A CNN encoder on the study's spectrogram image; returns h."""

    def __init__(self, name: str, encoder: torch.nn.Module, dim: int, model_input: ModelInput, weights_sha256: str):
        super().__init__(name)
        self.encoder, self.dim = encoder.eval(), dim
        self.model_input, self.weights_sha256 = model_input, weights_sha256

    @torch.inference_mode()
    def embed(self, mel: torch.Tensor) -> np.ndarray:
        x = to_image(mel, self.model_input.image_size, self.model_input.scale)
        return self.encoder(x).float().cpu().numpy()


class MelStats(Embedder):
    """Non-learned baseline: mean and standard deviation of log-mel power per band."""

    def __init__(self, n_mels: int):
        super().__init__("mel_stats")
        self.dim = 2 * n_mels

    def embed(self, mel: torch.Tensor) -> np.ndarray:
        logmel = torch.log10(mel.clamp_min(1e-10))  # (B, n_mels, T)
        return torch.cat([logmel.mean(dim=2), logmel.std(dim=2)], dim=1).numpy()


def load_mel_stats(settings: Settings, weights: str | None = None, threads: int = 1) -> MelStats:
    return MelStats(settings.spectrogram.n_mels)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_tree(path: str | Path) -> str:
    """Checksum of a directory (a SavedModel): every file's relative path and bytes."""
    digest = hashlib.sha256()
    for f in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        digest.update(str(f.relative_to(path)).encode())
        digest.update(sha256_file(f).encode())
    return digest.hexdigest()


def waveform_batches(index: pd.DataFrame, audio: Audio, sr: int, batch_size: int):
    """(positions, (B, samples)) batches of the clips of ``index``, read from their source
    recordings at ``sr`` (each recording read and resampled once)."""
    positions, waves = [], []
    for source, rows in index.groupby("source", sort=False).indices.items():
        offsets = index["offset_s"].to_numpy()[rows]
        for i, clip in iter_clips(Path(audio.data_root) / source, offsets, audio.clip_s, sr, audio.channel):
            positions.append(rows[i])
            waves.append(clip)
            if len(waves) == batch_size:
                yield np.array(positions), np.stack(waves)
                positions, waves = [], []
    if waves:
        yield np.array(positions), np.stack(waves)


def embed_dataset(embedder: Embedder, data: CachedSet, batch_size: int, audio: Audio | None = None) -> pd.DataFrame:
    """Embeddings of every clip of ``data`` (manifest columns + e0000.. columns), in its order.

    Waveform embedders read the source audio (``audio``: the data root, clip length, channel).
    """
    n = len(data)
    vectors = np.zeros((n, embedder.dim), dtype=np.float32)
    bar = tqdm(total=n, desc=f"embed {embedder.name}", mininterval=5)
    if embedder.input == "waveform":
        if audio is None:
            raise ValueError(f"{embedder.name} embeds waveforms: the data root, clip length and channel are needed")
        for pos, waves in waveform_batches(data.index, audio, embedder.sample_rate, batch_size):
            vectors[pos] = embedder.embed(waves)
            bar.update(len(pos))
    else:
        for start in range(0, n, batch_size):
            pos = np.arange(start, min(start + batch_size, n))
            vectors[pos] = embedder.embed(torch.from_numpy(data.mel(pos)))
            bar.update(len(pos))
    bar.close()
    if not np.isfinite(vectors).all():
        raise ValueError(f"{embedder.name}: non-finite embeddings ({int((~np.isfinite(vectors)).sum())} values)")
    meta = data.index[META_COLUMNS].reset_index(drop=True)
    cols = pd.DataFrame(vectors, columns=[f"e{i:04d}" for i in range(embedder.dim)])
    return pd.concat([meta, cols], axis=1)
