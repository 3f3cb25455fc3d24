"""Deployment throughput and memory: windowing + embedding + scoring of one hour of audio with
the demo's encoder on this machine, against real time; and the peak memory of the window
embedding step for a 1 h and a 24 h recording (it must not grow with the file).

Usage: python bench/deploy.py WORKDIR   (writes the deploy section of docs/benchmarks.md)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import REPO, SPEC, audio, defaults, table, write_section

CLIP = 1.92


def recording(path: Path, hours: float, sr: int = 16000) -> Path:
    """``hours`` of noise with tones, written in 10 min blocks (16-bit WAV)."""
    import soundfile as sf

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with sf.SoundFile(path, "w", sr, 1, "PCM_16") as f:
        for _ in range(int(hours * 6)):
            t = np.arange(sr * 600) / sr
            f.write((0.05 * rng.standard_normal(len(t)) + 0.1 * np.sin(2 * np.pi * 400 * t)).astype(np.float32))
    return path


def run(path: Path, hop_s: float) -> dict:
    """Window, embed (random-init twin of the demo encoder: the same compute) and score every
    window of ``path``; seconds and peak RSS of this process."""
    import resource

    import pandas as pd
    import torch

    sys.path.insert(0, str(REPO / "workflow_scripts"))
    from reefclr import embedders
    from reefclr.data import ingest
    from reefclr.deploy import windows

    torch.set_num_threads(2)
    settings = defaults(data={"datasets": [{"id": "bench", "role": "deploy", "format": "folders", "path": ".",
                                            "hop_s": hop_s}]}, segment={"clip_s": CLIP, "hop_s": hop_s},
                        model_input={"image_size": 64}, pretrain={"encoder": "small_resnet", "width": 16})
    start = time.perf_counter()
    manifest, _ = ingest.build_manifest(settings.data.datasets[0], path.parent, settings.segment)
    emb = embedders.load("random_init", settings)
    table = windows.embed_windows(emb, manifest, audio(path.parent, CLIP), SPEC, batch_size=256)
    weights = np.random.default_rng(0).standard_normal(emb.dim)
    scores = 1 / (1 + np.exp(-(table.filter(regex=r"^e\d+$").to_numpy() @ weights)))
    seconds = time.perf_counter() - start
    assert len(scores) == len(manifest) and isinstance(table, pd.DataFrame)
    return {"windows": len(manifest), "seconds": seconds,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(workdir: Path) -> None:
    rows = []
    for hours, hop in ((1, CLIP), (1, CLIP / 2), (24, CLIP)):
        path = recording(workdir / f"{hours}h" / "reef01_20230401_000000.wav", hours)
        out = subprocess.run([sys.executable, __file__, "--one", str(path), str(hop)], capture_output=True, text=True,
                             check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append([f"{hours} h", hop, r["windows"], r["seconds"], hours * 3600 / r["seconds"], r["peak_rss_mib"]])
    write_section("deploy", "python bench/deploy.py /tmp/bench-deploy",
                  "One 16 kHz mono WAV per row, read in 30 s blocks, resampled to 8 kHz, windows of 1.92 s, mel, the "
                  "demo's encoder (small_resnet width 16 at 64 x 64) and a linear score, batch 256, 2 threads; "
                  "each row in its own process (peak RSS of that process).\n\n"
                  + table(["audio", "hop s", "windows", "seconds", "x real time", "peak RSS MiB"], rows))


if __name__ == "__main__":
    if sys.argv[1] == "--one":
        print(json.dumps(run(Path(sys.argv[2]), float(sys.argv[3]))))
    else:
        main(Path(sys.argv[1]))
