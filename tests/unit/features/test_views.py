"""Training views: batches and augmentations are functions of (seed, step) alone."""

import numpy as np
import torch
from helpers import assert_within, reduction_bound, row_difference
from reefclr.features import cache, views


def test_batch_indices_cover_each_epoch():
    seen = np.concatenate([views.batch_indices(s, 10, 3, 0) for s in range(3)])
    assert len(set(seen)) == 9
    assert not np.array_equal(views.batch_indices(0, 10, 3, 0), views.batch_indices(3, 10, 3, 0))


def test_waveform_views_are_seeded_per_clip(cached, spec_cfg):
    from reefclr.training.distributed import Group

    _, dirs = cached
    dirs = [str(d) for d in dirs]
    from reefclr.features.spectrogram import MelSpectrogram

    steps = views.WaveformSteps(dirs, 6, 0, spec_cfg, 1.0, "signalsmith_stretch", Group())
    a, b = steps[3], steps[3]
    assert a.shape == (2, 6, int(1.92 * 8000))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a[0], a[1])  # two different views
    half = views.WaveformSteps(dirs, 6, 0, spec_cfg, 1.0, "signalsmith_stretch", Group(rank=1, world=2))[3]
    torch.testing.assert_close(half, a[:, 3:])  # a process's slice is the one-process views of its clips
    plain = views.WaveformSteps(dirs, 6, 0, spec_cfg, 0.0, "signalsmith_stretch", Group())[3]
    data = cache.CachedSet.open(dirs)
    cached_mel = torch.from_numpy(data.mel(views.batch_indices(3, len(data), 6, 0)))
    mel = MelSpectrogram.from_config(spec_cfg)(plain[0])  # the training device computes the mel in batch
    # p=0: the cache's mel, computed in another batch (the STFT's and filterbank's sums in another order)
    assert_within(row_difference(cached_mel.flatten(1), mel.flatten(1)), reduction_bound(1024 + 513),
                  "waveform views at p=0 vs the cached mel (worst clip)")
