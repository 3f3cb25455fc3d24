"""Peak memory of one cache build against the length of the recording.

Usage: python bench/cache_memory.py MINUTES [SAMPLE_RATE]
Writes a MINUTES-long 16-bit WAV of noise, segments it into 1.92 s clips and builds the
cache of one shard in this process; prints minutes, file MB, clips, seconds, the peak of
numpy's heap during the build (tracemalloc: working memory) and the peak RSS (which also
counts the pages of the output memmaps, i.e. the cache itself).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow_scripts"))

from reefclr import cache, manifest  # noqa: E402
from reefclr.segment import clip_offsets  # noqa: E402

SPEC = {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512, "batch_size": 64}


def main(minutes: float, sr: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "long.wav"
        rng = np.random.default_rng(0)
        with sf.SoundFile(str(path), "w", sr, 1, "PCM_16") as f:
            for _ in range(int(minutes * 60 / 10)):  # 10 s at a time
                f.write((0.05 * rng.standard_normal(10 * sr)).astype(np.float32))
        offsets = clip_offsets(minutes * 60, 1.92, 1.92, "drop")
        import pandas as pd

        rows = pd.DataFrame({"clip_id": [manifest.make_clip_id("long.wav", o) for o in offsets],
                             "source": "long.wav", "offset_s": offsets, "duration_s": 1.92, "label": None,
                             "dataset": "x", "role": "pretrain", "group": "long.wav", "site": "x",
                             "start_time": pd.NaT})
        rows = manifest.finalize(rows, 1, "bench")
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        t0 = time.perf_counter()
        cache.build_shard(rows, 0, root, SPEC, 1.92, "mean", root / "w.npy", root / "m.npy", root / "i.parquet")
        wall = time.perf_counter() - t0
        heap = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"minutes={minutes} sr={sr} file_mb={path.stat().st_size / 2**20:.0f} clips={len(rows)} "
              f"s={wall:.1f} heap_peak_mb={heap:.0f} peak_rss_mb={peak:.0f} (before build {base:.0f})")


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 96000)
