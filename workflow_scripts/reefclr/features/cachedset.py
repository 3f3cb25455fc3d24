"""The cache as jobs read it: several shards seen as one array of clips (numpy and pandas
only, so every rule's env can read it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class CachedSet:
    """Several cache shards seen as one array of clips."""

    index: pd.DataFrame
    mels: list[np.ndarray]
    waves: list[np.ndarray]
    dirs: list[str]

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
        return cls(index, mels, waves, [str(d) for d in shard_dirs])

    def __len__(self) -> int:
        return len(self.index)

    def subset(self, positions: np.ndarray) -> "CachedSet":
        """The clips at ``positions`` (in that order) as a set of their own; no copy of the arrays."""
        return CachedSet(self.index.iloc[positions].reset_index(drop=True), self.mels, self.waves, self.dirs)

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
