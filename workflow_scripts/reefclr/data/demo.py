"""The synthetic reef demo: real audio files that mimic the study's data, made offline.

Unlabelled recordings from 19 sites that differ in ambient character (snapping-shrimp
crackle density, wave and wind noise, fish chorus, boat passes), and six labelled test
sets mirroring the study's tasks. Five come as long recordings with Raven selection
tables; bermuda comes as pre-cut 1.92 s clips with a ``dataset.json`` in the study's
schema. Every labelled set has ``test_recordings_per_class`` recordings per class (at least
8 in the shipped demo), so splits grouped by recording have many distinct partitions. Each
recording has its own ambient character (a recording-level confound that a random clip
split rewards), and the class signal (call type, event, habitat profile) carries across
recordings; class-conditional settings overlap and events come at varied signal-to-noise
ratios, so no task is trivial. Everything is deterministic from the seed.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from scipy import signal

from reefclr.settings import Demo

log = logging.getLogger(__name__)

CALL_TYPES = ["grunt", "croak", "knock", "purr", "moan", "whoop", "pop"]
CLIP_S = 1.92


# --- sound components -------------------------------------------------------------------
def _filtered_noise(rng, n: int, sr: int, band: tuple[float | None, float | None]) -> np.ndarray:
    lo, hi = band
    if lo and hi:
        sos = signal.butter(4, [lo, hi], "bandpass", fs=sr, output="sos")
    elif hi:
        sos = signal.butter(4, hi, "lowpass", fs=sr, output="sos")
    else:
        sos = signal.butter(4, lo, "highpass", fs=sr, output="sos")
    x = signal.sosfilt(sos, rng.standard_normal(n))
    return x / (x.std() + 1e-12)


def _impulse_train(rng, n: int, rate_hz: float, sr: int, amp_sigma: float) -> np.ndarray:
    k = rng.poisson(rate_hz * n / sr)
    train = np.zeros(n)
    np.add.at(train, rng.integers(0, n, k), rng.lognormal(0, amp_sigma, k) * rng.choice([-1.0, 1.0], k))
    return train


def _gabor(sr: int, freq: float, dur_s: float) -> np.ndarray:
    t = np.arange(max(2, int(dur_s * sr))) / sr
    return np.sin(2 * np.pi * freq * t) * np.hanning(len(t))


def shrimp(rng, n: int, sr: int, rate: float) -> np.ndarray:
    """Snapping-shrimp crackle: a Poisson train of broadband clicks."""
    t = np.arange(int(0.002 * sr)) / sr
    click = np.diff(np.exp(-t / 2e-4) * rng.standard_normal(len(t)), prepend=0.0)
    return signal.oaconvolve(_impulse_train(rng, n, rate, sr, 0.9), click)[:n]


def waves(rng, n: int, sr: int) -> np.ndarray:
    """Wave and wind noise: low-pass noise with a slow swell."""
    swell = 1 + 0.6 * np.sin(2 * np.pi * rng.uniform(0.05, 0.2) * np.arange(n) / sr + rng.uniform(0, 6.3))
    return _filtered_noise(rng, n, sr, (None, rng.uniform(120, 300))) * swell


def chorus(rng, n: int, sr: int, f0: float, rate: float) -> np.ndarray:
    """A fish chorus: many overlapping tonal pulses around ``f0``."""
    x = signal.oaconvolve(_impulse_train(rng, n, rate, sr, 0.5), _gabor(sr, f0, 0.03))[:n]
    return x / (x.std() + 1e-12)


def boat(n: int, sr: int, rng, centre_s: float, width_s: float) -> np.ndarray:
    """A motorboat pass: blade-rate harmonics plus cavitation noise under a Gaussian envelope."""
    t = np.arange(n) / sr
    f0 = rng.uniform(25, 60)
    tonal = sum(np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 6.3)) / k for k in range(1, int(1500 / f0)))
    cav = _filtered_noise(rng, n, sr, (300, min(3000, 0.45 * sr)))
    env = np.exp(-0.5 * ((t - centre_s) / width_s) ** 2)
    x = (tonal / np.std(tonal) + 0.8 * cav) * env
    return x


def fish_call(kind: str, rng, sr: int) -> np.ndarray:
    """One fish call of a named sonotype (parameter ranges of neighbours overlap)."""
    def pulses(n_range, ipi_range, f_range, dur):
        n = rng.integers(*n_range)
        ipi = rng.uniform(*ipi_range)
        f = rng.uniform(*f_range)
        pulse = _gabor(sr, f, dur)
        out = np.zeros(int((n - 1) * ipi * sr) + len(pulse) + 1)
        for i in range(n):
            a = int(i * ipi * sr)
            out[a : a + len(pulse)] += pulse * rng.uniform(0.6, 1.0)
        return out

    if kind == "grunt":
        return pulses((4, 11), (0.035, 0.07), (110, 260), 0.025)
    if kind == "croak":
        return pulses((2, 5), (0.06, 0.11), (220, 450), 0.04)
    if kind == "knock":
        return pulses((1, 4), (0.08, 0.2), (450, 1000), 0.008)
    if kind == "purr":
        return pulses((15, 36), (0.01, 0.02), (140, 320), 0.01)
    if kind == "pop":
        return pulses((1, 2), (0.1, 0.2), (80, 220), 0.03)
    t = np.arange(int(rng.uniform(0.3, 1.0) * sr)) / sr
    if kind == "moan":
        f0 = rng.uniform(90, 170) * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(1, 4) * t))
        phase = 2 * np.pi * np.cumsum(f0) / sr
        return sum(np.sin(k * phase) / k for k in (1, 2, 3)) * np.hanning(len(t))
    if kind == "whoop":
        f1 = rng.uniform(180, 260)
        f = f1 + (rng.uniform(450, 900) - f1) * t / t[-1]
        return np.sin(2 * np.pi * np.cumsum(f) / sr) * np.hanning(len(t))
    raise ValueError(f"unknown call type {kind!r}")


def blast(rng, sr: int) -> np.ndarray:
    """A blast-fishing explosion: a sharp broadband onset with a long rumbling decay (2 s)."""
    n = int(2.0 * sr)
    t = np.arange(n) / sr
    tau = rng.uniform(0.15, 0.5)
    return (_filtered_noise(rng, n, sr, (20, 0.45 * sr)) * np.exp(-t / tau)
            + 0.7 * _filtered_noise(rng, n, sr, (None, 150)) * np.exp(-t / (2 * tau)))


# --- soundscapes ------------------------------------------------------------------------
def site_profile(rng, **override) -> dict:
    """Random ambient character of one site; ``override`` fixes some of it."""
    profile = dict(
        shrimp_rate=rng.uniform(80, 1500), shrimp_level=rng.uniform(0.004, 0.03),
        wave_level=rng.uniform(0.002, 0.03), chorus_level=rng.uniform(0.0, 0.012),
        chorus_f0=rng.uniform(150, 600), chorus_rate=rng.uniform(3, 40), boats_per_min=rng.uniform(0, 1.0),
        calls_per_min=rng.uniform(2, 30),
    )
    return profile | override


def ambient(rng, n: int, sr: int, p: dict) -> np.ndarray:
    """Shrimp + waves + chorus + a faint noise floor, by the site profile."""
    x = p["shrimp_level"] * shrimp(rng, n, sr, p["shrimp_rate"]) / np.sqrt(max(p["shrimp_rate"], 1) / 500)
    x += p["wave_level"] * waves(rng, n, sr)
    if p["chorus_level"] > 0:
        x += p["chorus_level"] * chorus(rng, n, sr, p["chorus_f0"], p["chorus_rate"])
    return x + 3e-4 * rng.standard_normal(n)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)) + 1e-20))


def add_event(x: np.ndarray, event: np.ndarray, start: int, snr_db: float, ref_rms: float) -> None:
    """Mix ``event`` into ``x`` at ``start`` with the given SNR against ``ref_rms``."""
    event = event[: len(x) - start]
    x[start : start + len(event)] += event / _rms(event) * ref_rms * 10 ** (snr_db / 20)


def _write(path: Path, x: np.ndarray, sr: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.clip(x, -1, 1).astype(np.float32), sr, subtype="PCM_16")


def _write_raven(path: Path, events: list[tuple[float, float, str]], sr: int) -> None:
    rows = [{"Selection": i + 1, "View": "Spectrogram 1", "Channel": 1, "Begin Time (s)": round(b, 4),
             "End Time (s)": round(e, 4), "Low Freq (Hz)": 0.0, "High Freq (Hz)": sr / 2, "Annotation": lab}
            for i, (b, e, lab) in enumerate(events)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["Selection", "View", "Channel", "Begin Time (s)", "End Time (s)",
                                "Low Freq (Hz)", "High Freq (Hz)", "Annotation"]).to_csv(path, sep="\t", index=False)


# --- the data set -----------------------------------------------------------------------
def pretrain_recording(rng, sr: int, dur_s: float, profile: dict) -> np.ndarray:
    n = int(dur_s * sr)
    x = ambient(rng, n, sr, profile)
    ref = _rms(x)
    for _ in range(rng.poisson(profile["calls_per_min"] * dur_s / 60)):
        add_event(x, fish_call(rng.choice(CALL_TYPES), rng, sr), rng.integers(0, n), rng.uniform(-10, 10), ref)
    for _ in range(rng.poisson(profile["boats_per_min"] * dur_s / 60)):
        x += ref * rng.uniform(0.3, 3) * boat(n, sr, rng, rng.uniform(0, dur_s), rng.uniform(3, 10))
    return x


def event_recording(rng, sr: int, dur_s: float, kind: str) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A long recording with annotated events of one kind: fish calls, boats or blasts."""
    n = int(dur_s * sr)
    x = ambient(rng, n, sr, site_profile(rng, boats_per_min=0))
    ref = _rms(x)
    events: list[tuple[float, float, str]] = []
    t = rng.uniform(0.2, 2.0)
    while True:
        if kind == "fish":
            call = fish_call(rng.choice(CALL_TYPES), rng, sr)
            dur, snr, label, gap = len(call) / sr, rng.uniform(-10, 8), "fish", rng.exponential(3.0) + 0.5
        elif kind == "blast":
            call = blast(rng, sr)
            dur, snr, label, gap = len(call) / sr, rng.uniform(-6, 18), "blast", rng.exponential(6.0) + 1.0
        else:  # boat: annotated where the pass stands within 1.5 sigma of its peak
            width = rng.uniform(2, 5)
            dur, snr, label, gap = 3 * width, rng.uniform(-12, 8), "motorboat", rng.exponential(8.0) + 2.0
        if t + dur >= dur_s:
            break
        if kind == "boat":
            x += ref * 10 ** (snr / 20) * boat(n, sr, rng, t + 1.5 * width, width)
        else:
            add_event(x, call, int(t * sr), snr, ref)
        events.append((t, t + dur, label))
        t += dur + gap
    if kind == "blast":  # distractors: loud fish pops and knocks, not annotated
        for _ in range(rng.poisson(dur_s / 8)):
            add_event(x, fish_call(rng.choice(["pop", "knock"]), rng, sr), rng.integers(0, n), rng.uniform(0, 12), ref)
    return x, events


HABITATS = {
    "australia": {  # healthy vs degraded: richer shrimp and fish chorus on healthy reefs
        "healthy": dict(shrimp_rate=(500, 1800), shrimp_level=(0.010, 0.03), chorus_level=(0.003, 0.012)),
        "degraded": dict(shrimp_rate=(150, 900), shrimp_level=(0.005, 0.018), chorus_level=(0.0, 0.006)),
    },
    "french_polynesia": {  # shallow vs mesophotic: more wave noise and shrimp in the shallows
        "shallow": dict(wave_level=(0.01, 0.035), shrimp_rate=(400, 1500), chorus_f0=(250, 600)),
        "mesophotic": dict(wave_level=(0.002, 0.015), shrimp_rate=(150, 900), chorus_f0=(120, 350)),
    },
}


def habitat_recording(rng, sr: int, dur_s: float, ranges: dict) -> np.ndarray:
    profile = site_profile(rng, boats_per_min=0, **{k: rng.uniform(*v) for k, v in ranges.items()})
    return pretrain_recording(rng, sr, dur_s, profile)


def generate(out_dir: str | Path, cfg: Demo, seed: int) -> dict:
    """Write the whole demo under ``out_dir`` (replaced); returns its description."""
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    sr = cfg.sample_rate
    rng = np.random.default_rng(seed)
    files: list[str] = []

    for s in range(cfg.pretrain_sites):
        site = f"site_{s + 1:02d}"
        path = out / "pretrain" / site / f"{site}_20230301_000000.wav"
        _write(path, pretrain_recording(rng, sr, cfg.pretrain_duration_s, site_profile(rng)), sr)
        files.append(path.relative_to(out).as_posix())

    n_rec = cfg.test_recordings_per_class
    tasks = {"kenya": ("fish", sr), "florida": ("boat", 2 * sr), "indonesia": ("blast", sr)}
    for loc, (kind, rate) in tasks.items():
        for r in range(2 * n_rec):
            stem = f"{loc}_rec{r + 1:02d}_20230315_{r:02d}0000"
            x, events = event_recording(rng, rate, cfg.test_duration_s, kind)
            _write(out / f"test_{loc}" / "audio" / f"{stem}.wav", x, rate)
            _write_raven(out / f"test_{loc}" / "annotations" / f"{stem}.Table.1.selections.txt", events, rate)
            files.append(f"test_{loc}/audio/{stem}.wav")

    for loc, classes in HABITATS.items():
        for label, ranges in classes.items():
            for r in range(n_rec):
                stem = f"{loc}_{label}_rec{r + 1:02d}"
                x = habitat_recording(rng, sr, cfg.test_duration_s, ranges)
                _write(out / f"test_{loc}" / "audio" / f"{stem}.wav", x, sr)
                _write_raven(out / f"test_{loc}" / "annotations" / f"{stem}.Table.1.selections.txt",
                             [(0.0, len(x) / sr, label)], sr)
                files.append(f"test_{loc}/audio/{stem}.wav")

    entries = _bermuda_clips(out, rng, sr, cfg.bermuda_clips_per_class, max(2, n_rec))
    files += [e["file_name"] for e in entries]
    (out / "dataset.json").write_text(json.dumps({"audio": entries}, indent=1))
    files += _deployment(out, rng, sr, cfg)
    summary = {"files": len(files), "sample_rate": sr, "seed": seed, "config": cfg.to_dict()}
    (out / "demo.json").write_text(json.dumps(summary, indent=2))
    log.info("demo: %d audio files under %s", len(files), out)
    return summary


def _bermuda_clips(out: Path, rng, sr: int, per_class: int, recordings: int) -> list[dict]:
    """Pre-cut 1.92 s clips of 7 call types, cut from ``recordings`` 'recordings' per class
    (each with its own ambient bed)."""
    n = int(CLIP_S * sr)
    entries = []
    for k, kind in enumerate(CALL_TYPES):
        for r in range(recordings):
            profile = site_profile(rng, boats_per_min=0)
            bed = ambient(rng, n * per_class, sr, profile)
            for i in range(r, per_class, recordings):
                x = bed[i * n : (i + 1) * n].copy()
                call = fish_call(kind, rng, sr)[: n - 1]
                add_event(x, call, int(rng.integers(0, n - len(call))), rng.uniform(-6, 9), _rms(x))
                name = f"test_bermuda/clips/bermuda_{kind}_rec{r + 1:02d}_{i:04d}.wav"
                _write(out / name, x, sr)
                entries.append({"file_name": name, "class": f"class{k}", "data_type": "test_data",
                                "dataset": "test_bermuda"})
    return entries


def fish_rate_per_min(hour: int) -> float:
    """Fish calls per minute of the demo deployment: a dusk chorus peaking at 19:00, few by day."""
    return 1.0 + 9.0 * np.exp(-0.5 * (((hour - 19 + 12) % 24 - 12) / 2.5) ** 2)


def _deployment(out: Path, rng, sr: int, cfg: Demo) -> list[str]:
    """A deployment of ``deploy_sites`` hydrophones, one recording every 24 / files_per_site
    hours over two days, fish calls at a diel rate, boats as distractors; the calls in Raven
    tables (deploy_truth/), and two query recordings of single calls (queries/)."""
    files = []
    n = int(cfg.deploy_duration_s * sr)
    step_h = 48 / cfg.deploy_files_per_site
    for s in range(cfg.deploy_sites):
        profile = site_profile(rng, boats_per_min=0.5)
        for f in range(cfg.deploy_files_per_site):
            hours = f * step_h
            day, hour = 1 + int(hours // 24), int(hours % 24)
            stem = f"reef{s + 1:02d}_202304{day:02d}_{hour:02d}0000"
            x = ambient(rng, n, sr, profile)
            ref = _rms(x)
            for _ in range(rng.poisson(0.5 * cfg.deploy_duration_s / 60)):
                x += ref * rng.uniform(0.3, 2) * boat(n, sr, rng, rng.uniform(0, cfg.deploy_duration_s), 4)
            events, t = [], rng.exponential(60 / fish_rate_per_min(hour))
            while t < cfg.deploy_duration_s - 1:
                call = fish_call(rng.choice(CALL_TYPES), rng, sr)
                add_event(x, call, int(t * sr), rng.uniform(-4, 10), ref)
                events.append((t, t + len(call) / sr, "fish"))
                t += len(call) / sr + 0.5 + rng.exponential(60 / fish_rate_per_min(hour))
            _write(out / "deploy" / f"reef{s + 1:02d}" / f"{stem}.wav", x, sr)
            _write_raven(out / "deploy_truth" / f"{stem}.Table.1.selections.txt", events, sr)
            files.append(f"deploy/reef{s + 1:02d}/{stem}.wav")
    for q, kind in enumerate(("grunt", "knock")):
        x = ambient(rng, int(3 * sr), sr, site_profile(rng, boats_per_min=0))
        add_event(x, fish_call(kind, rng, sr), int(0.8 * sr), 6, _rms(x))
        _write(out / "queries" / f"query{q + 1:02d}_{kind}.wav", x, sr)
        files.append(f"queries/query{q + 1:02d}_{kind}.wav")
    return files
