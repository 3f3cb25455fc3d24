"""reefclr.features.spectrogram: the cached mel against librosa, and the network input image."""

import librosa
import numpy as np
import pytest
import torch

from reefclr.features.spectrogram import MelSpectrogram, n_frames, power_to_db, to_image


def test_mel_matches_librosa(spec_cfg):
    rng = np.random.default_rng(0)
    t = np.arange(15360) / 8000
    wave = (0.2 * np.sin(2 * np.pi * 300 * t) + 0.01 * rng.standard_normal(len(t))).astype(np.float32)
    ours = MelSpectrogram.from_settings(spec_cfg)(torch.from_numpy(wave)[None])[0].numpy()
    ref = librosa.feature.melspectrogram(y=wave, sr=8000, n_fft=1024, hop_length=64, win_length=512, n_mels=128)
    assert ours.shape == ref.shape == (128, n_frames(15360, 64)) == (128, 241)
    rel = np.abs(ours - ref).max() / np.abs(ref).max()
    assert rel < 1e-3
    nonzero = ref > 1e-6 * ref.max()
    assert np.median(np.abs(ours[nonzero] - ref[nonzero]) / ref[nonzero]) < 1e-4


def test_power_to_db_matches_librosa():
    x = np.abs(np.random.default_rng(1).standard_normal((2, 16, 20))).astype(np.float32) ** 4
    ours = power_to_db(torch.from_numpy(x)).numpy()
    for i in range(2):
        np.testing.assert_allclose(ours[i], librosa.power_to_db(x[i], ref=1.0), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("scale", ["power", "db"])
def test_to_image_shape_and_channels(scale):
    mel = torch.rand(3, 128, 241)
    img = to_image(mel, 224, scale)
    assert img.shape == (3, 3, 224, 224) and img.dtype == torch.float32
    assert torch.equal(img[:, 0], img[:, 2])


def test_win_longer_than_fft_is_refused():
    with pytest.raises(ValueError, match="win_length 2048 exceeds n_fft 1024"):
        MelSpectrogram(8000, 1024, 64, 2048, 128)
