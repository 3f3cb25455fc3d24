"""Spectrogram cache: per dataset shard, 8 kHz waveforms and mel power as float32 memmaps.

Layout of one shard directory: ``wave.npy`` (clips, samples), ``mel.npy`` (clips, n_mels,
frames) and ``index.parquet`` (the shard's manifest rows, in array order). Float32 because
float16 of raw power underflows on quiet recordings.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from .atomic import atomic_path, write_table
from .audio import check_finite, read_clips
from .spectrogram import MelSpectrogram, n_frames

log = logging.getLogger(__name__)


def build_shard(
    manifest: pd.DataFrame,
    shard: int,
    data_root: str | Path,
    spec_cfg: dict,
    clip_s: float,
    channel: int | str,
    out_wave: str | Path,
    out_mel: str | Path,
    out_index: str | Path,
) -> pd.DataFrame:
    """Compute and write the cache of one shard; returns its index."""
    rows = manifest[manifest["shard"] == shard].reset_index(drop=True)
    sr = spec_cfg["sample_rate"]
    n_samples = int(round(clip_s * sr))
    shape_mel = (len(rows), spec_cfg["n_mels"], n_frames(n_samples, spec_cfg["hop_length"]))
    melspec = MelSpectrogram.from_config(spec_cfg)
    batch = spec_cfg["batch_size"]
    root = Path(data_root)
    with atomic_path(out_wave) as tmp_wave, atomic_path(out_mel) as tmp_mel:
        wave = np.lib.format.open_memmap(tmp_wave, mode="w+", dtype=np.float32, shape=(len(rows), n_samples))
        mel = np.lib.format.open_memmap(tmp_mel, mode="w+", dtype=np.float32, shape=shape_mel)
        sources = rows.groupby("source", sort=False).indices
        for source, idx in tqdm(sources.items(), desc=f"shard {shard}: recordings", mininterval=5):
            clips = read_clips(root / source, rows["offset_s"].to_numpy()[idx], clip_s, sr, channel)
            check_finite(clips, source)
            wave[idx] = clips
        with torch.inference_mode():
            for start in range(0, len(rows), batch):
                chunk = torch.from_numpy(np.asarray(wave[start : start + batch]))
                mel[start : start + batch] = melspec(chunk).numpy()
        wave.flush()
        mel.flush()
        del wave, mel
    index = rows.assign(row=np.arange(len(rows), dtype=np.int64))
    write_table(index, out_index)
    log.info("shard %d: %d clips, mel %s", shard, len(rows), shape_mel)
    return index


@dataclass
class CachedSet:
    """Several cache shards seen as one array of clips."""

    index: pd.DataFrame
    mels: list[np.ndarray]
    waves: list[np.ndarray]

    @classmethod
    def open(cls, shard_dirs: list[str | Path]) -> "CachedSet":
        frames, mels, waves = [], [], []
        for i, d in enumerate(shard_dirs):
            d = Path(d)
            idx = pd.read_parquet(d / "index.parquet").assign(shard_pos=i)
            frames.append(idx)
            mels.append(np.load(d / "mel.npy", mmap_mode="r"))
            waves.append(np.load(d / "wave.npy", mmap_mode="r"))
            if len(idx) != len(mels[-1]):
                raise ValueError(f"{d}: index has {len(idx)} rows but mel.npy {len(mels[-1])}")
        index = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return cls(index, mels, waves)

    def __len__(self) -> int:
        return len(self.index)

    def mel(self, positions: np.ndarray) -> np.ndarray:
        """Mel spectrograms of the clips at ``positions`` (rows of ``index``), in that order."""
        return self._gather(self.mels, positions)

    def wave(self, positions: np.ndarray) -> np.ndarray:
        return self._gather(self.waves, positions)

    def _gather(self, arrays: list[np.ndarray], positions: np.ndarray) -> np.ndarray:
        sel = self.index.iloc[positions]
        out = np.empty((len(positions), *arrays[0].shape[1:]), dtype=np.float32)
        for shard_pos, group in sel.groupby("shard_pos").indices.items():
            rows = sel["row"].to_numpy()[group]
            order = np.argsort(rows)  # memmap reads in file order
            out[group[order]] = arrays[shard_pos][rows[order]]
        return out


def shard_dir(path: str | Path) -> Path:
    """The shard directory of any of its cache files."""
    return Path(os.path.dirname(path))
