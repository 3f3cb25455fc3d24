"""reefclr.data.audio: block-wise reading, one resample per recording, named read errors."""

import numpy as np
import pytest
import soundfile as sf
import soxr

from helpers import write_tone
from reefclr.data.audio import audio_info, iter_clips


def read_clips(path, offsets, clip_s, sr, channel="mean", block_s=30.0):
    """All clips of iter_clips, in the order of ``offsets``."""
    out = np.zeros((len(offsets), int(round(clip_s * sr))), dtype=np.float32)
    for i, clip in iter_clips(path, offsets, clip_s, sr, channel, block_s):
        out[i] = clip
    return out


def test_streamed_clips_equal_one_shot_resample(tmp_path):
    path = write_tone(tmp_path / "a.wav", sr=48000, seconds=10, subtype="FLOAT")
    x, sr = sf.read(path, dtype="float32")
    whole = soxr.resample(x, sr, 8000, quality="HQ")
    offsets = np.array([3.84, 0.0, 5.76])
    clips = read_clips(path, offsets, 1.92, 8000, block_s=1.3)  # blocks smaller than a clip
    for off, clip in zip(offsets, clips):
        a = int(round(off * 8000))
        np.testing.assert_allclose(clip, whole[a : a + 15360], atol=1e-5)


def test_stereo_mean_and_channel_pick(tmp_path):
    path = write_tone(tmp_path / "s.wav", sr=8000, seconds=3, channels=2, subtype="FLOAT")
    x, _ = sf.read(path, dtype="float32")
    mean = read_clips(path, np.array([0.0]), 1.92, 8000, channel="mean")[0]
    right = read_clips(path, np.array([0.0]), 1.92, 8000, channel=1)[0]
    np.testing.assert_allclose(mean, x[:15360].mean(axis=1), atol=1e-6)
    np.testing.assert_allclose(right, x[:15360, 1], atol=1e-6)
    with pytest.raises(ValueError, match="channel 5 not in a 2-channel file"):
        read_clips(path, np.array([0.0]), 1.92, 8000, channel=5)


def test_clip_past_the_end_is_zero_padded(tmp_path):
    path = write_tone(tmp_path / "short.wav", sr=8000, seconds=1.0, subtype="FLOAT")
    clip = read_clips(path, np.array([0.0]), 1.92, 8000)[0]
    assert clip.shape == (15360,)
    assert np.abs(clip[:8000]).max() > 0.1 and not clip[8000:].any()


def test_missing_and_corrupt_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.wav: audio file not found"):
        audio_info(tmp_path / "nope.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00junk")
    with pytest.raises(ValueError, match="bad.wav: cannot read audio header"):
        audio_info(bad)
