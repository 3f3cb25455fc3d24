"""The spectrogram cache built from real audio files: every clip once, in its shard."""

import numpy as np
from reefclr.features import cache


def test_cache_shards_hold_every_clip_once(cached, spec_cfg):
    manifest, dirs = cached
    data = cache.CachedSet.open(dirs)
    assert sorted(data.index.clip_id) == sorted(manifest.clip_id)
    assert data.mels[0].dtype == np.float32 and data.mels[0].shape[1:] == (128, 241)
    pos = np.array([len(data) - 1, 0, 3])
    mel = data.mel(pos)
    for k, p in enumerate(pos):
        row = data.index.iloc[p]
        np.testing.assert_array_equal(mel[k], data.mels[row.shard_pos][row.row])
    assert not list((dirs[0]).glob("*.tmp"))
