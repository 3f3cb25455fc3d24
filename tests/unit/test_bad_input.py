"""Every accepted audio format, and every bad input with the message it must give."""

import json

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from helpers import dataset_spec, write_tone
from reefclr.features import cache
from reefclr.data import datacheck, ingest
from reefclr.core.atomic import read_parquet_metadata

SEG = {"clip_s": 1.92, "hop_s": 1.92, "tail": "drop", "min_overlap": 0.5, "channel": "mean"}
SPEC = {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512, "batch_size": 8}


def folder_spec(**kw):
    return dataset_spec(id="pretrain", role="pretrain", format="folders", path="a", **kw)


def build(tmp_path, spec, on_bad="error"):
    """Ingest + cache of one shard; returns (manifest, report, index)."""
    m, report = ingest.build_manifest(spec, tmp_path, SEG, on_bad)
    out = tmp_path / "cache"
    index = cache.build_shard(m, 0, tmp_path, SPEC, 1.92, "mean", out / "wave.npy", out / "mel.npy",
                              out / "index.parquet", on_bad)
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


def test_sample_rate_below_range(tmp_path):
    write_tone(tmp_path / "a" / "x.wav", sr=1000, seconds=3.0, freq=100)
    with pytest.raises(ValueError, match=r"x.wav: sample rate 1000 Hz outside 2000-384000 Hz"):
        build(tmp_path, folder_spec())


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
    index = cache.build_shard(m, 5, tmp_path, SPEC, 1.92, "mean", out / "w.npy", out / "m.npy", out / "i.parquet")
    assert len(index) == 0 and np.load(out / "m.npy").shape == (0, 128, 241)


def csv_spec(**kw):
    return dataset_spec(id="test_c", role="test", format="csv", path="labels.csv", **kw)


def test_csv_manifest_with_mapped_columns(tmp_path):
    write_tone(tmp_path / "rec" / "5783.230315123000.wav", seconds=10)
    write_tone(tmp_path / "rec" / "b.wav", seconds=4)
    pd.DataFrame({"path": ["rec/5783.230315123000.wav", "rec/5783.230315123000.wav", "rec/b.wav"],
                  "t0": [0.0, 5.0, None], "t1": [4.0, 9.0, None], "sound": ["fish", "ambient", "fish"],
                  "site": ["x", "x", "y"]}).to_csv(tmp_path / "labels.csv", index=False)
    m, _ = ingest.build_manifest(csv_spec(columns={"file": "path", "start": "t0", "end": "t1", "label": "sound"}),
                                 tmp_path, SEG)
    assert list(m.label) == ["fish", "fish", "ambient", "ambient", "fish", "fish"]
    assert list(m.offset_s) == [0.0, 1.92, 5.0, 6.92, 0.0, 1.92]
    ts = m[m.source.str.contains("5783")].start_time
    assert str(ts.iloc[0]) == "2023-03-15 12:30:00" and str(ts.iloc[2]) == "2023-03-15 12:30:05"
    assert m[m.source == "rec/b.wav"].start_time.isna().all()


@pytest.mark.parametrize("table, message", [
    ("file,start,end,label\nrec/a.wav,0,2,\n", "labels.csv: row 2: empty label in column 'label'"),
    ("file,start,end,label\nrec/a.wav,3,1,fish\n", "labels.csv: row 2: invalid times start=3.0 end=1.0"),
    ("file,start,end,label\nrec/a.wav,zero,1,fish\n", "labels.csv: row 2: start 'zero' is not a number"),
    ("path,label\nrec/a.wav,fish\n", r"labels.csv: table lacks column\(s\) \['file'\]"),
    ("file,label\n../x.wav,fish\n", "labels.csv: row 2: path '../x.wav' escapes the data root"),
    ("file,label\nrec/gone.wav,fish\n", "gone.wav: audio file not found"),
    ("file,label\nrec/a.wav,fish\nrec/a.wav,fish\n", "dataset test_c: duplicate clip ids, e.g. 'rec/a.wav@0'"),
    ("file,label\nrec/a.wav,fish\nrec/b.wav,shark\n", r"dataset test_c: unknown label\(s\) \['shark'\]"),
    ('file,label\n"rec/a.wav,fish\n', "labels.csv: cannot parse as a table"),
])
def test_bad_csv_rows_are_named(tmp_path, table, message):
    write_tone(tmp_path / "rec" / "a.wav", seconds=4)
    write_tone(tmp_path / "rec" / "b.wav", seconds=4)
    (tmp_path / "labels.csv").write_text(table)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        ingest.build_manifest(csv_spec(labels=["fish", "ambient"]), tmp_path, SEG)


def test_missing_file_is_skipped_when_asked(tmp_path):
    write_tone(tmp_path / "rec" / "a.wav", seconds=4)
    write_tone(tmp_path / "rec" / "b.wav", seconds=4)
    (tmp_path / "labels.csv").write_text("file,label\nrec/a.wav,fish\nrec/gone.wav,fish\nrec/b.wav,ambient\n")
    m, report = ingest.build_manifest(csv_spec(), tmp_path, SEG, "skip")
    assert set(m.source) == {"rec/a.wav", "rec/b.wav"}
    assert report["problems"][0]["entry"].endswith("labels.csv: row 3")
