"""The explorer page at 1,000 and 50,000 points: file size and load time in headless Chromium.

Usage: python bench/explorer.py WORKDIR   (writes the explorer section of docs/benchmarks.md)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import REPO, table, write_section

sys.path.insert(0, str(REPO / "tests"))
import browser  # noqa: E402
from reefclr.pages import explorer, media

EMBEDDERS = ["reefclr", "birdnet"]
MEDIA = 2000  # explorer.max_media's default


def page(n: int, path: Path) -> float:
    """A one-test-set explorer of ``n`` clips (media for ``MEDIA`` of them); seconds to build it."""
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    labels = rng.choice(["fish", "ambient", "boat", "shrimp"], size=n)
    meta = pd.DataFrame({"clip_id": [f"c{i}" for i in range(n)], "source": [f"rec{i % 500:03d}.wav" for i in range(n)],
                         "offset_s": (np.arange(n) % 1000) * 1.92, "label": labels, "site": [f"s{i % 12}" for i in range(n)],
                         "group": [f"rec{i % 500}" for i in range(n)], "hour": np.arange(n) % 24})
    frames = {e: pd.DataFrame({"clip_id": meta["clip_id"], "x": rng.normal(size=n), "y": rng.normal(size=n),
                               "predicted": labels, "cluster": (np.arange(n) % 30).astype(str)}) for e in EMBEDDERS}
    tab, total = explorer.dataset_table(meta, frames, 50000, 0)
    with_media = explorer.stratified_keep(tab["label"], MEDIA, 0)
    mel = rng.gamma(1.0, 1.0, size=(128, 241)).astype(np.float32)
    wave = (rng.standard_normal(15360) * 0.1).astype(np.float32)
    thumb, audio = media.thumbnail(mel), media.audio_snippet(wave, 8000)
    tab.loc[with_media, "thumb"], tab.loc[with_media, "audio"] = thumb, audio
    explorer.write_page([explorer.panel("test_bench", tab, EMBEDDERS, total, 5)], path, "bench", "")
    return time.perf_counter() - start


def main(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    driver = browser.start()
    rows = []
    for n in (1000, 50000):
        path = workdir / f"explorer_{n}.html"
        build_s = page(n, path)
        loads = [browser.load(driver, path) for _ in range(3)]
        assert browser.point_count(driver, "test_bench") == n and not browser.errors(driver)
        rows.append([n, min(n, MEDIA), path.stat().st_size / 2**20, build_s, min(loads), float(np.median(loads))])
    driver.quit()
    write_section("explorer", "python bench/explorer.py /tmp/bench-explorer",
                  "One test set, two embedders, spectrogram and audio for up to 2,000 clips (explorer.max_media); "
                  "load = until Bokeh's document is idle in headless Chromium (software rendering).\n\n"
                  + table(["points", "with media", "file MiB", "build s", "load s best", "load s median"], rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
