"""Logging set-up for workflow scripts: everything a job says goes to its rule log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_logging(log_path: str | Path, level: int = logging.INFO) -> logging.Logger:
    """Send logging records, warnings and stderr (tqdm bars) to ``log_path``."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives with the job
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    sys.stderr = stream
    return logging.getLogger("reefclr")


def each_test_set(datasets: list[str], *paths: list[str]):
    """(dataset, path, ...) for each test set of a per-embedder job, logging progress and time."""
    import time

    log = logging.getLogger("reefclr")
    for i, row in enumerate(zip(datasets, *paths, strict=True), start=1):
        start = time.perf_counter()
        log.info("%s (%d/%d)", row[0], i, len(datasets))
        yield row
        log.info("%s done in %.1f s", row[0], time.perf_counter() - start)
