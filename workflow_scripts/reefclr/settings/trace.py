"""Which settings a job reads, for the test that holds every result setting a script reads in
its rule's params (tests/workflow/test_params_hold_reads.py). On only when the environment
variable ``REEFCLR_TRACE_SETTINGS`` names a folder: then a Snakemake job writes there, at exit,
its rule, wildcards and the dotted keys of the fields it read."""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from pathlib import Path

from . import base


def start_if_asked() -> None:
    """Record the fields read from now on, if asked and inside a Snakemake job."""
    folder = os.environ.get("REEFCLR_TRACE_SETTINGS")
    job = getattr(sys.modules.get("__main__"), "snakemake", None)
    if not folder or job is None or base._READS is not None:
        return
    base._READS = set()
    atexit.register(_write, Path(folder), job)


def _write(folder: Path, job) -> None:
    wildcards = {k: str(v) for k, v in job.wildcards.items()}
    key = hashlib.sha256(json.dumps([job.rule, wildcards], sort_keys=True).encode()).hexdigest()[:12]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{job.rule}-{key}.json").write_text(json.dumps(
        {"rule": job.rule, "wildcards": wildcards, "reads": sorted(base._READS)}, indent=1))
