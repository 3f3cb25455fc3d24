"""The study's waveform augmentation chain (audiomentations)."""

from reefclr.features import views


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
