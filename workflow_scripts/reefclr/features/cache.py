"""Spectrogram cache: per dataset shard, 8 kHz waveforms and mel power as float32 memmaps.

Layout of one shard directory: ``wave.npy`` (clips, samples), ``mel.npy`` (clips, n_mels,
frames) and ``index.parquet`` (the shard's manifest rows, in array order). Float32 because
float16 of raw power underflows on quiet recordings.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from reefclr.core.atomic import atomic_path, write_table
from reefclr.data.audio import check_finite, iter_clips
from reefclr.features.spectrogram import MelSpectrogram, n_frames
from reefclr.settings import Audio, Spectrogram

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardFiles:
    """The three files of one cache shard."""

    wave: Path
    mel: Path
    index: Path

    @classmethod
    def in_dir(cls, folder: str | Path) -> "ShardFiles":
        folder = Path(folder)
        return cls(folder / "wave.npy", folder / "mel.npy", folder / "index.parquet")


def build_shard(manifest: pd.DataFrame, shard: int, audio: Audio, spectrogram: Spectrogram, out: ShardFiles,
                on_bad_audio: str = "error") -> pd.DataFrame:
    """Compute and write the cache of one shard; returns its index.

    A recording that cannot be decoded, holds NaN/inf, or is all silent stops the job
    (``on_bad_audio='error'``) or has its clips left out of the shard (``'skip'``, logged and
    listed in the index's metadata).
    """
    rows = manifest[manifest["shard"] == shard].reset_index(drop=True)
    sr = spectrogram.sample_rate
    n_samples = int(round(audio.clip_s * sr))
    skipped: list[dict] = []
    with atomic_path(out.wave) as tmp_wave, atomic_path(out.mel) as tmp_mel:
        wave = np.lib.format.open_memmap(tmp_wave, mode="w+", dtype=np.float32, shape=(len(rows), n_samples))
        keep = np.ones(len(rows), dtype=bool)
        offsets = rows["offset_s"].to_numpy()
        sources = rows.groupby("source", sort=False).indices
        for source, idx in tqdm(sources.items(), desc=f"shard {shard}: recordings", mininterval=5):
            try:
                _cache_recording(wave, idx, source, offsets[idx], audio, sr)
            except (ValueError, FileNotFoundError) as exc:
                if on_bad_audio == "error":
                    raise
                log.warning("skipped %d clips: %s", len(idx), exc)
                skipped.append({"source": source, "clips": len(idx), "reason": str(exc)})
                keep[idx] = False
        if not keep.all():
            wave = _compact(wave, keep, tmp_wave)
            rows = rows[keep].reset_index(drop=True)
        wave.flush()
        _write_mel(wave, spectrogram, tmp_mel)
        del wave
    index = rows.assign(row=np.arange(len(rows), dtype=np.int64))
    write_table(index, out.index, metadata={"skipped": json.dumps(skipped)})
    log.info("shard %d: %d clips cached, %d recordings skipped", shard, len(rows), len(skipped))
    return index


def _cache_recording(wave: np.ndarray, rows: np.ndarray, source: str, offsets: np.ndarray, audio: Audio,
                     sr: int) -> None:
    """Write one recording's clips into ``wave[rows]`` (the memmap itself: ``wave[rows]`` as
    an expression would be a copy), checking them as they come."""
    peak = 0.0
    clips = iter_clips(Path(audio.data_root) / source, offsets, audio.clip_s, sr, audio.channel)
    for i, clip in clips:
        peak = max(peak, check_finite(clip, source, offsets[i]))
        wave[rows[i]] = clip
    if len(offsets) and peak == 0.0:
        raise ValueError(f"{source}: audio is all silent (every sample is zero)")


def _compact(wave: np.ndarray, keep: np.ndarray, path: Path) -> np.ndarray:
    """Rewrite the waveform memmap at ``path`` with only the kept rows."""
    kept = np.flatnonzero(keep)
    tmp = path.with_suffix(".compact.npy")
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(len(kept), wave.shape[1]))
    for start in range(0, len(kept), 1024):
        out[start : start + 1024] = wave[kept[start : start + 1024]]
    out.flush()
    del wave, out
    os.replace(tmp, path)
    return np.load(path, mmap_mode="r+")


def _write_mel(wave: np.ndarray, spectrogram: Spectrogram, path: Path) -> None:
    """Batched mel power of every waveform row, into a float32 memmap at ``path``."""
    melspec = MelSpectrogram.from_settings(spectrogram)
    shape = (len(wave), spectrogram.n_mels, n_frames(wave.shape[1], spectrogram.hop_length))
    mel = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
    batch = spectrogram.batch_size
    with torch.inference_mode():
        for start in range(0, len(wave), batch):
            mel[start : start + batch] = melspec(torch.from_numpy(np.asarray(wave[start : start + batch]))).numpy()
    mel.flush()
    del mel
