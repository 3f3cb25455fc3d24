"""reefclr.features.views: training views are functions of (seed, step) alone; the study's waveform chain."""

import numpy as np
import torch

from helpers import assert_within, defaults, pretrain_cfg, reduction_bound, row_difference
from reefclr.features import views
from reefclr.features.cachedset import CachedSet


def test_batch_indices_cover_each_epoch():
    seen = np.concatenate([views.batch_indices(s, 10, 3, 0) for s in range(3)])
    assert len(set(seen)) == 9
    assert not np.array_equal(views.batch_indices(0, 10, 3, 0), views.batch_indices(3, 10, 3, 0))


def _settings(spec_cfg, p: float) -> views.ViewSettings:
    pretrain = pretrain_cfg(augment_p=p, waveform_method="signalsmith_stretch")
    return views.ViewSettings(pretrain, spec_cfg, defaults().model_input, 0)


def test_waveform_views_are_seeded_per_clip(cached, spec_cfg):
    from reefclr.core.processes import Group
    from reefclr.features.spectrogram import MelSpectrogram

    _, dirs = cached
    dirs = [str(d) for d in dirs]
    steps = views.WaveformSteps(CachedSet.open(dirs), 6, _settings(spec_cfg, 1.0), Group())
    a, b = steps[3], steps[3]
    assert a.shape == (2, 6, int(1.92 * 8000))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a[0], a[1])  # two different views
    half = views.WaveformSteps(CachedSet.open(dirs), 6, _settings(spec_cfg, 1.0), Group(rank=1, world=2))[3]
    torch.testing.assert_close(half, a[:, 3:])  # a process's slice is the one-process views of its clips
    plain = views.WaveformSteps(CachedSet.open(dirs), 6, _settings(spec_cfg, 0.0), Group())[3]
    data = CachedSet.open(dirs)
    cached_mel = torch.from_numpy(data.mel(views.batch_indices(3, len(data), 6, 0)))
    mel = MelSpectrogram.from_settings(spec_cfg)(plain[0])  # the training device computes the mel in batch
    # p=0: the cache's mel, computed in another batch (the STFT's and filterbank's sums in another order)
    assert_within(row_difference(cached_mel.flatten(1), mel.flatten(1)), reduction_bound(1024 + 513),
                  "waveform views at p=0 vs the cached mel (worst clip)")


def test_study_waveform_augmentations():
    from audiomentations import AddGaussianNoise, ClippingDistortion, Gain, PitchShift, TimeStretch

    chain = views.study_augment(0.5, "librosa_phase_vocoder")
    kinds = {type(t): t for t in chain.transforms}
    assert list(kinds) == [AddGaussianNoise, PitchShift, TimeStretch, ClippingDistortion, Gain]
    assert all(t.p == 0.5 for t in chain.transforms)
    assert (kinds[AddGaussianNoise].min_amplitude, kinds[AddGaussianNoise].max_amplitude) == (1e-4, 5e-4)
    assert (kinds[PitchShift].min_semitones, kinds[PitchShift].max_semitones) == (-2, 12)
    assert (kinds[TimeStretch].min_rate, kinds[TimeStretch].max_rate) == (0.8, 1.25)
    assert kinds[TimeStretch].leave_length_unchanged
    clip = kinds[ClippingDistortion]
    assert (clip.min_percentile_threshold, clip.max_percentile_threshold) == (0, 5)
    assert (kinds[Gain].min_gain_db, kinds[Gain].max_gain_db) == (-10, 5)
