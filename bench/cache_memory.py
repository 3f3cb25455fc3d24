"""Peak memory of one cache build against the length of the recording.

Usage: python bench/cache_memory.py            (10, 40 and 120 min at 96 kHz, 3 runs each)
       python bench/cache_memory.py --one MINUTES SAMPLE_RATE
One run: writes a MINUTES-long 16-bit WAV of noise, segments it into 1.92 s clips and
builds the cache of one shard in this process; prints minutes, file MB, clips, seconds, the
peak of numpy's heap during the build (tracemalloc: working memory) and the peak RSS (which
also counts the pages of the output memmaps, i.e. the cache itself). Each run is a fresh
process, so its peak RSS is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf

from common import SPEC, audio  # noqa: E402  (puts workflow_scripts on sys.path)

from reefclr.data import manifest  # noqa: E402
from reefclr.data.segment import clip_offsets  # noqa: E402
from reefclr.features import cache  # noqa: E402


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
        cache.build_shard(rows, 0, audio(root), SPEC, cache.ShardFiles(root / "w.npy", root / "m.npy", root / "i.parquet"))
        wall = time.perf_counter() - t0
        heap = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(dict(file_mb=path.stat().st_size / 2**20, clips=len(rows), s=wall, heap_mb=heap,
                              peak_rss_mb=peak, before_mb=base)))


def sweep(sr: int = 96000) -> None:
    from common import table, write_section

    rows = []
    for minutes in (10, 40, 120):
        runs = [json.loads(subprocess.run([sys.executable, __file__, "--one", str(minutes), str(sr)],
                                          capture_output=True, text=True, check=True).stdout.splitlines()[-1])
                for _ in range(3)]
        s = sorted(r["s"] for r in runs)
        rows.append([minutes, runs[0]["file_mb"], runs[0]["clips"], s[0], s[1], max(r["heap_mb"] for r in runs),
                     max(r["peak_rss_mb"] for r in runs), runs[0]["before_mb"]])
    write_section("cachemem", "python bench/cache_memory.py", table(
        ["minutes at 96 kHz", "file MB", "clips", "build s min", "build s median", "numpy heap peak MB",
         "peak RSS MB", "RSS before build MB"], rows))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        main(float(sys.argv[2]), int(sys.argv[3]))
    else:
        sweep()
