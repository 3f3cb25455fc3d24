"""Shared by the benchmark scripts: machine description, repeated timing, and the generated
tables of docs/benchmarks.md (between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow_scripts"))
sys.path.insert(0, str(REPO / "tests" / "workflow"))
DOC = REPO / "docs" / "benchmarks.md"


def defaults(**sections):
    """The settings records of the schema's defaults with ``sections`` layered over them."""
    from reefclr import settings
    from reefclr.config import fill_defaults, layered, load_schema

    config = layered({"data": {"root": ".", "datasets": []}}, sections)
    return settings.load(fill_defaults(config, load_schema(REPO / "schemas/config.schema.yaml")))


SPEC = defaults(spectrogram={"batch_size": 64}).spectrogram
SEGMENT = defaults(segment={"tail": "drop"}).segment


def audio(root, clip_s: float = 1.92):
    """Clips of ``clip_s`` from the recordings under ``root`` (channels averaged)."""
    from reefclr.settings import Audio

    return Audio(str(root), clip_s, "mean")


def machine() -> str:
    """CPU model, cores, memory and GPU, as one line."""
    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except FileNotFoundError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    gpu = "no GPU"
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return f"{model}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, {gpu}"


def today() -> str:
    return datetime.date.today().isoformat()


def timed(fn: Callable[[], object], repeats: int = 3, warmup: int = 1) -> tuple[float, float]:
    """(min, median) seconds of ``repeats`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; floats with 3 significant digits (or as integers when large)."""
    def fmt(v):
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    align = "|".join("---:" if i else ":---" for i in range(len(header)))
    lines = ["| " + " | ".join(header) + " |", "|" + align + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, command: str, body: str, doc: Path = DOC) -> None:
    """Replace the generated section ``name`` of ``doc`` (docs/benchmarks.md; and print it)."""
    block = f"Command: `{command}`. Machine: {machine()}. Date: {today()}.\n\n{body.strip()}\n"
    print(block)
    text = doc.read_text()
    pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{doc}: no section markers for {name!r}")
    doc.write_text(pattern.sub(lambda m: m.group(1) + block + m.group(2), text))


def tone_cache(workdir: Path, sites: int = 4, seconds: int = 120) -> list[str]:
    """``sites`` recordings of tones in noise (16 kHz) -> one cache shard at the study's settings."""
    import numpy as np
    import soundfile as sf

    from reefclr.data import ingest
    from reefclr.features import cache

    data = workdir / "audio"
    rng = np.random.default_rng(0)
    for site in range(sites):
        t = np.arange(16000 * seconds) / 16000
        x = 0.2 * np.sin(2 * np.pi * (300 + 200 * site) * t) + 0.05 * rng.standard_normal(len(t))
        (data / f"site{site}").mkdir(parents=True, exist_ok=True)
        sf.write(data / f"site{site}" / "rec.wav", x.astype(np.float32), 16000)
    spec = defaults(data={"datasets": [{"id": "bench", "role": "test", "format": "folders", "path": ".",
                                        "label_from_folder": True}]}).data.datasets[0]
    manifest, _ = ingest.build_manifest(spec, data, SEGMENT)
    d = workdir / "cache" / "shard-0"
    cache.build_shard(manifest, 0, audio(data), SPEC, cache.ShardFiles.in_dir(d))
    return [str(d)]


def pretrain_cfg(**overrides):
    """The pretrain record of the schema's defaults, then ``overrides``."""
    return defaults(pretrain=overrides).pretrain
