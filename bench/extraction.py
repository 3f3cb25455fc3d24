"""Embedding extraction speed: clips/s per embedder, batch size swept.

Usage: python bench/extraction.py WORKDIR
On a cache of 248 clips (4 two-minute 16 kHz recordings, the study's spectrogram settings),
each embedder embeds every clip at batch sizes 16, 64 and 256 (mel embedders: memmap read,
input image, inference; waveform embedders: reading and resampling the source audio too):
min/median of 3 runs after a warm-up. The CNN rows hold for reefclr, random_init and
imagenet alike (same ResNet50, other weights). VGGish and YAMNet are not measured: their
real weights are not on this machine (the tests use stand-ins of no representative cost).
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from common import audio, defaults, table, timed, tone_cache, write_section

from reefclr import embedders
from reefclr.embedders.base import embed_dataset
from reefclr.features.cachedset import CachedSet

ARCHS = {
    "reefclr / random_init, demo (small_resnet w16, 64 x 64)": dict(encoder="small_resnet", width=16, size=64),
    "reefclr / random_init, paper (resnet50, 224 x 224)": dict(encoder="resnet50", width=16, size=224),
}


def main(workdir: Path) -> None:
    dirs = tone_cache(workdir)
    data = CachedSet.open(dirs)
    n = len(data)
    rows = []
    for label, a in ARCHS.items():
        settings = defaults(pretrain={"encoder": a["encoder"], "width": a["width"]},
                            model_input={"image_size": a["size"]})
        emb = embedders.load("random_init", settings)
        for batch in (16, 64, 256):
            t_min, t_med = timed(lambda: embed_dataset(emb, data, batch))
            rows.append([label, emb.dim, batch, n / t_min, n / t_med])
    stats = embedders.load("mel_stats", defaults())
    for batch in (16, 64, 256):
        t_min, t_med = timed(lambda: embed_dataset(stats, data, batch))
        rows.append(["mel_stats", stats.dim, batch, n / t_min, n / t_med])
    source = audio(workdir / "audio")
    for name in ("birdnet (48 kHz, real weights)", "acoustic_indices (16 kHz)"):
        emb = embedders.load(name.split()[0], defaults(), threads=torch.get_num_threads())
        for batch in (16, 64, 256):
            t_min, t_med = timed(lambda: embed_dataset(emb, data, batch, audio=source))
            rows.append([name, emb.dim, batch, n / t_min, n / t_med])
    write_section("extraction", "python bench/extraction.py /tmp/bench-extraction",
                  f"{n} clips, {torch.get_num_threads()} threads.\n\n"
                  + table(["embedder", "dim", "batch", "clips/s best", "clips/s median"], rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
