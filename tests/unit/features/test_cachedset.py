"""reefclr.features.cachedset: several cache shards read as one array of clips."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reefclr.features.cachedset import CachedSet, shard_dir


def test_cache_shards_hold_every_clip_once(cached, spec_cfg):
    manifest, dirs = cached
    data = CachedSet.open(dirs)
    assert sorted(data.index.clip_id) == sorted(manifest.clip_id)
    assert data.mels[0].dtype == np.float32 and data.mels[0].shape[1:] == (128, 241)
    pos = np.array([len(data) - 1, 0, 3])
    mel = data.mel(pos)
    for k, p in enumerate(pos):
        row = data.index.iloc[p]
        np.testing.assert_array_equal(mel[k], data.mels[row.shard_pos][row.row])
    assert not list((dirs[0]).glob("*.tmp"))


def write_shard(folder: Path, start: int, n: int) -> None:
    """A shard of ``n`` clips whose mel and wave rows hold their global number."""
    folder.mkdir(parents=True)
    pd.DataFrame({"clip_id": [f"c{start + i}" for i in range(n)], "row": range(n)}).to_parquet(folder / "index.parquet")
    np.save(folder / "mel.npy", np.arange(start, start + n, dtype=np.float32)[:, None, None] * np.ones((1, 2, 3)))
    np.save(folder / "wave.npy", np.arange(start, start + n, dtype=np.float32)[:, None] * np.ones((1, 5)))


def test_positions_across_shards_come_back_in_the_order_asked(tmp_path):
    write_shard(tmp_path / "shard-0", 0, 3)
    write_shard(tmp_path / "shard-1", 3, 4)
    data = CachedSet.open([tmp_path / "shard-0", tmp_path / "shard-1"])
    assert len(data) == 7 and data.index["shard_pos"].tolist() == [0, 0, 0, 1, 1, 1, 1]
    positions = np.array([6, 0, 4, 2, 3])
    mel, wave = data.mel(positions), data.wave(positions)
    assert mel.shape == (5, 2, 3) and mel.dtype == np.float32 and mel[:, 0, 0].tolist() == [6, 0, 4, 2, 3]
    assert wave[:, 0].tolist() == [6, 0, 4, 2, 3]
    assert data.dirs == [str(tmp_path / "shard-0"), str(tmp_path / "shard-1")]
    assert shard_dir(tmp_path / "shard-1" / "mel.npy") == tmp_path / "shard-1"


def test_an_index_that_does_not_match_its_mel_is_named(tmp_path):
    write_shard(tmp_path / "shard-0", 0, 3)
    np.save(tmp_path / "shard-0" / "mel.npy", np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError, match="shard-0: index has 3 rows but mel.npy 2"):
        CachedSet.open([tmp_path / "shard-0"])
    assert len(CachedSet.open([])) == 0


def test_a_subset_reads_its_clips_in_its_order(tmp_path):
    write_shard(tmp_path / "shard-0", 0, 3)
    write_shard(tmp_path / "shard-1", 3, 4)
    data = CachedSet.open([tmp_path / "shard-0", tmp_path / "shard-1"])
    part = data.subset(np.array([5, 1, 3]))
    assert len(part) == 3 and part.mel(np.array([0, 1, 2]))[:, 0, 0].tolist() == [5, 1, 3]
    assert part.wave(np.array([2]))[0, 0] == 3 and part.dirs == data.dirs
