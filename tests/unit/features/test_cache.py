"""reefclr.features.cache: shards of real audio in every format hold each clip's samples and mel; bad audio is named."""

import json

import numpy as np
import pytest
import soundfile as sf
import torch

from helpers import assert_within, dataset_spec, reduction_bound, relative_difference, segment, spectrogram, write_tone
from reefclr.core.atomic import read_parquet_metadata
from reefclr.data import datacheck, ingest
from reefclr.data.audio import iter_clips
from reefclr.features import cache
from reefclr.features.cachedset import CachedSet
from reefclr.features.spectrogram import MelSpectrogram
from reefclr.settings import Audio


def test_cached_clips_are_the_recordings_samples_and_their_mel(cached, spec_cfg, tmp_path):
    """What a clip's row holds is its recording read at 8 kHz from its offset, and the mel of that."""
    _, dirs = cached
    data = CachedSet.open(dirs)
    row = data.index.iloc[5]
    (_, clip), = iter_clips(tmp_path / "data" / row.source, np.array([row.offset_s]), 1.92, 8000)
    wave = data.wave(np.array([5]))[0]
    np.testing.assert_array_equal(wave, clip)
    assert np.abs(wave).max() > 0.1  # the tone, not zeros
    mel = MelSpectrogram.from_settings(spec_cfg)(torch.from_numpy(clip[None])).numpy()[0]
    # the cache computed it in a batch of 8: the STFT's and filterbank's sums in another order
    assert_within(relative_difference(mel, data.mel(np.array([5]))[0]), reduction_bound(1024 + 513),
                  "cached mel vs the clip's own")


SEG = segment(tail="drop")


SPEC = spectrogram(batch_size=8)


def folder_spec(**kw):
    return dataset_spec(id="pretrain", role="pretrain", format="folders", path="a", **kw)


def build(tmp_path, spec, on_bad="error"):
    """Ingest + cache of one shard; returns (manifest, report, index)."""
    m, report = ingest.build_manifest(spec, tmp_path, SEG, on_bad)
    out = tmp_path / "cache"
    index = cache.build_shard(m, 0, Audio(str(tmp_path), 1.92, "mean"), SPEC, cache.ShardFiles(out / "wave.npy", out / "mel.npy", out / "index.parquet"), on_bad)
    return m, report, index


@pytest.mark.parametrize("ext, fmt, subtype", [
    ("wav", "WAV", "PCM_U8"), ("wav", "WAV", "PCM_16"), ("wav", "WAV", "PCM_24"), ("wav", "WAV", "PCM_32"),
    ("wav", "WAV", "FLOAT"), ("wav", "WAV", "DOUBLE"), ("flac", "FLAC", "PCM_24"), ("ogg", "OGG", "VORBIS"),
    ("mp3", "MP3", "MPEG_LAYER_III"),
])
def test_every_format_is_read(tmp_path, ext, fmt, subtype):
    t = np.arange(16000 * 4) / 16000
    x = (0.4 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    (tmp_path / "a").mkdir()
    sf.write(str(tmp_path / "a" / f"tone.{ext}"), x, 16000, format=fmt, subtype=subtype)
    _, report, index = build(tmp_path, folder_spec(extensions=[ext]))
    assert len(index) == 2 and report["files"][0]["sample_rate"] == 16000
    wave = np.load(tmp_path / "cache" / "wave.npy")
    rms = np.sqrt(np.mean(wave[0] ** 2))
    assert rms == pytest.approx(0.4 / np.sqrt(2), rel=0.1)


@pytest.mark.parametrize("sr", [2000, 96000, 384000])
def test_extreme_sample_rates(tmp_path, sr):
    write_tone(tmp_path / "a" / "x.wav", sr=sr, seconds=2.0, freq=300)
    _, report, index = build(tmp_path, folder_spec())
    assert len(index) == 1 and report["files"][0]["sample_rate"] == sr
    assert np.isfinite(np.load(tmp_path / "cache" / "mel.npy")).all()


def _bad_files(tmp_path):
    """One good file and one bad file of each kind, keyed by kind."""
    a = tmp_path / "a"
    write_tone(a / "good.wav", seconds=4)
    sf.write(str(a / "empty.wav"), np.zeros(0, np.float32), 16000)  # a header, no samples
    (a / "zero_bytes.wav").write_bytes(b"")
    (a / "corrupt.wav").write_bytes(np.random.default_rng(0).bytes(5000))
    flac = a / "full.flac"
    sf.write(str(flac), np.random.default_rng(1).standard_normal(16000 * 6).astype(np.float32) * 0.1, 16000)
    (a / "truncated.flac").write_bytes(flac.read_bytes()[: flac.stat().st_size // 2])
    flac.unlink()
    nan = np.full(16000 * 4, 0.1, np.float32)
    nan[5000] = np.nan
    sf.write(str(a / "nan.wav"), nan, 16000, subtype="FLOAT")
    inf = np.full(16000 * 4, 0.1, np.float32)
    inf[7] = np.inf
    sf.write(str(a / "inf.wav"), inf, 16000, subtype="FLOAT")
    sf.write(str(a / "silent.wav"), np.zeros(16000 * 4, np.float32), 16000)


@pytest.mark.parametrize("name, stage, message", [
    ("empty.wav", "ingest", "empty.wav: empty audio (0 samples)"),
    ("zero_bytes.wav", "ingest", "zero_bytes.wav: cannot read audio header"),
    ("corrupt.wav", "ingest", "corrupt.wav: cannot read audio header"),
    ("truncated.flac", "ingest", "truncated.flac: cannot decode audio"),  # its fingerprint decodes it
    ("nan.wav", "cache", "nan.wav: audio contains NaN or inf samples"),
    ("inf.wav", "cache", "inf.wav: audio contains NaN or inf samples"),
    ("silent.wav", "cache", "silent.wav: audio is all silent"),
])
def test_bad_audio_stops_with_a_named_error(tmp_path, name, stage, message):
    (tmp_path / "a").mkdir()
    _bad_files(tmp_path)
    only = [name, "good.wav"]
    for p in (tmp_path / "a").iterdir():
        if p.name not in only:
            p.unlink()
    spec = folder_spec(extensions=["wav", "flac"])
    if stage == "ingest":
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            ingest.build_manifest(spec, tmp_path, SEG, "error")
    else:
        with pytest.raises(ValueError, match=message):
            build(tmp_path, spec)
        assert not (tmp_path / "cache" / "mel.npy").exists()  # nothing half-written
        assert not list((tmp_path / "cache").glob("*.tmp"))


def test_skip_mode_keeps_the_good_and_lists_the_bad(tmp_path):
    (tmp_path / "a").mkdir()
    _bad_files(tmp_path)
    m, report, index = build(tmp_path, folder_spec(extensions=["wav", "flac"]), on_bad="skip")
    skipped_at_ingest = {p["source"].rsplit("/", 1)[-1] for p in report["problems"]}
    assert skipped_at_ingest == {"empty.wav", "zero_bytes.wav", "corrupt.wav", "truncated.flac"}
    skipped_at_cache = {s["source"].rsplit("/", 1)[-1] for s in
                        json.loads(read_parquet_metadata(tmp_path / "cache" / "index.parquet")["skipped"])}
    assert skipped_at_cache == {"nan.wav", "inf.wav", "silent.wav"}
    assert set(index.source) == {"a/good.wav"} and len(index) == 2
    assert np.load(tmp_path / "cache" / "mel.npy").shape[0] == 2 == np.load(tmp_path / "cache" / "wave.npy").shape[0]
    assert all(not p["source"].startswith("/") for p in report["problems"])  # relative to the data root
    assert report["classes"] == {"(unlabelled)": len(m)} and report["groups"] == m["group"].nunique() == 4
    text, summary = datacheck.summarise([report])
    assert "4 problems" in text and "empty.wav" in text and "(skipped)" in text


def test_empty_shard_is_valid(tmp_path):
    write_tone(tmp_path / "a" / "x.wav", seconds=2)
    m, _ = ingest.build_manifest(folder_spec(shards=1), tmp_path, SEG)
    out = tmp_path / "c"
    index = cache.build_shard(m, 5, Audio(str(tmp_path), 1.92, "mean"), SPEC, cache.ShardFiles(out / "w.npy", out / "m.npy", out / "i.parquet"))
    assert len(index) == 0 and np.load(out / "m.npy").shape == (0, 128, 241)
