"""Input pipeline: the study's per-clip way against this workflow's cache, on the same clips.

Usage: python bench/input_pipeline.py WORKDIR [N_CLIPS]
Generates N_CLIPS (default 2,000) clips of 1.92 s as 48 kHz 16-bit WAV files (tones in
noise, like hydrophone output), then times, 3 runs each after a warm-up:
- study: per clip, as its Dataset did: librosa.load at 8 kHz -> librosa melspectrogram ->
  bilinear resize to 224 x 224 -> 3 channels, one clip at a time;
- cache build: ingest + build_shard over the same files (one read and one resample per
  file, batched mel), and over the same audio as 8 long recordings (the usual layout);
- cache read: memmap -> batches of 64 -> bilinear resize on the device (this CPU).
Prints clips/s and the ratios to the study's way (targets: read >= 30x, build >= 5x).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torch.nn.functional as F
from common import REPO, SEGMENT, SPEC, audio, defaults, table, timed, write_section

from reefclr.features import cache
from reefclr.data import ingest
from reefclr.features.cachedset import CachedSet
from reefclr.features.spectrogram import to_image

SR_FILE, CLIP_S = 48000, 1.92


def generate(workdir: Path, n: int) -> tuple[Path, Path]:
    """n clip files under clips/, and the same audio as 8 long files under long/."""
    rng = np.random.default_rng(0)
    clips, long = workdir / "clips", workdir / "long"
    per = int(SR_FILE * CLIP_S)
    t = np.arange(per) / SR_FILE
    audio = []
    for i in range(n):
        x = 0.2 * np.sin(2 * np.pi * (200 + 7 * (i % 300)) * t) + 0.05 * rng.standard_normal(per)
        audio.append(x.astype(np.float32))
        sub = clips / f"site{i % 8}"
        sub.mkdir(parents=True, exist_ok=True)
        sf.write(sub / f"clip{i:05d}.wav", audio[-1], SR_FILE, subtype="PCM_16")
    for k in range(8):
        (long / f"site{k}").mkdir(parents=True, exist_ok=True)
        sf.write(long / f"site{k}" / "rec.wav", np.concatenate(audio[k::8]), SR_FILE, subtype="PCM_16")
    return clips, long


def study_way(files: list[Path]) -> None:
    """The study's Dataset.__getitem__, clip after clip."""
    import librosa

    for f in files:
        y, sr = librosa.load(f, sr=8000)
        mel = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=64, win_length=512, n_mels=128)
        x = torch.from_numpy(mel)[None, None]
        x = F.interpolate(x, size=(224, 224), mode="bilinear", align_corners=False)
        x.expand(-1, 3, -1, -1).contiguous()


def build(root: Path, out: Path) -> list[str]:
    spec = defaults(data={"datasets": [{"id": "pretrain", "role": "pretrain", "format": "folders",
                                        "path": "."}]}).data.datasets[0]
    manifest, _ = ingest.build_manifest(spec, root, SEGMENT)
    shutil.rmtree(out, ignore_errors=True)
    d = out / "shard-0"
    cache.build_shard(manifest, 0, audio(root, CLIP_S), SPEC, cache.ShardFiles.in_dir(d))
    return [str(d)]


def read(dirs: list[str]) -> None:
    data = CachedSet.open(dirs)
    for start in range(0, len(data), 64):
        to_image(torch.from_numpy(data.mel(np.arange(start, min(start + 64, len(data))))), 224)


def main(workdir: Path, n: int) -> None:
    clips, long = generate(workdir, n)
    files = sorted(clips.rglob("*.wav"))
    study = timed(lambda: study_way(files))
    build_files = timed(lambda: build(clips, workdir / "cache_files"))
    build_long = timed(lambda: build(long, workdir / "cache_long"))
    dirs = build(clips, workdir / "cache_files")
    cache_read = timed(lambda: read(dirs))
    rows = []
    for label, (t_min, t_med) in [("study: per clip load + mel + resize", study),
                                  ("cache build, one file per clip", build_files),
                                  ("cache build, 8 long recordings", build_long),
                                  ("cache read: memmap + batched resize", cache_read)]:
        rows.append([label, n / t_min, n / t_med, f"{study[0] / t_min:.1f}x"])
    write_section("input", f"python bench/input_pipeline.py /tmp/bench-input {n}",
                  table(["pipeline", "clips/s best", "clips/s median", "vs study (best)"], rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
