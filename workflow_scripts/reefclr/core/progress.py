"""Progress of a job that walks through several test sets: each one logged with its time."""

from __future__ import annotations

import logging
import time


def each_dataset(datasets: list[str], *paths: list[str]):
    """(dataset, path, ...) for each test set of a per-embedder job, logging progress and time."""
    log = logging.getLogger("reefclr")
    for i, row in enumerate(zip(datasets, *paths, strict=True), start=1):
        start = time.perf_counter()
        log.info("%s (%d/%d)", row[0], i, len(datasets))
        yield row
        log.info("%s done in %.1f s", row[0], time.perf_counter() - start)
