"""How long a pretraining run will take, said before it starts.

Two estimates. Before any step (the data plan, results/data_check/plan.md, and the job's first
log line): the run's
fwd+bwd FLOPs (per image, from ``torch.utils.flop_counter`` counts in docs/benchmarks.md §2,
scaled by image area and, for small_resnet, by width squared) over an achieved fp32 CPU rate
per core measured there. After a few steps (the job): the median time of its own steps. Above
``pretrain.max_hours`` the job stops with the estimate and the recipes that fit. Imports no
torch: the data plan runs without it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

# fwd+bwd GFLOP per image, projection head included (bench/training.py, torch.utils.flop_counter)
GFLOP = {"resnet50": (24.3, 224), "resnet18": (5.5, 224), "small_resnet": (0.0963, 64)}
SMALL_RESNET_WIDTH = 16  # the width of the small_resnet row
CPU_GFLOPS_PER_CORE = 80.0  # achieved fp32 fwd+bwd per core: 163-224 GFLOP/s on 2 Xeon cores (docs/benchmarks.md §2)
TIMED_STEPS = 3  # steps timed after the first (which pays one-off costs) before the job estimates


def gflop_per_image(encoder: str, width: int, image_size: int) -> float:
    """fwd+bwd GFLOP of one view through encoder and projection head."""
    if encoder not in GFLOP:
        raise ValueError(f"no FLOP count for encoder {encoder!r}; known: {sorted(GFLOP)}")
    base, size = GFLOP[encoder]
    scale = (image_size / size) ** 2
    if encoder == "small_resnet":
        scale *= (width / SMALL_RESNET_WIDTH) ** 2
    return base * scale


@dataclass(frozen=True)
class Estimate:
    """A run's estimated wall time on CPU cores."""

    steps: int
    images_per_step: int
    gflop_per_image: float
    cores: int

    @property
    def hours(self) -> float:
        return self.steps * self.images_per_step * self.gflop_per_image / (CPU_GFLOPS_PER_CORE * self.cores) / 3600

    def text(self) -> str:
        return (f"about {duration(self.hours * 3600)} on {self.cores} CPU core{'s' * (self.cores > 1)} "
                f"({self.steps} steps x {self.images_per_step} views x {self.gflop_per_image:.3g} GFLOP at "
                f"{CPU_GFLOPS_PER_CORE:g} GFLOP/s per core, fp32; a GPU is far faster)")


def on_cpu(pretrain: dict, image_size: int, cores: int) -> Estimate:
    """The estimate for a ``pretrain`` block (its encoder, width, batch_size, steps and
    export_step) at ``image_size`` on ``cores`` CPU cores."""
    steps = pretrain["steps"] if pretrain.get("export_step") is None else min(pretrain["steps"], pretrain["export_step"])
    return Estimate(int(steps), 2 * int(pretrain["batch_size"]),
                    gflop_per_image(pretrain["encoder"], int(pretrain.get("width", SMALL_RESNET_WIDTH)), image_size),
                    max(1, int(cores)))


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def over_budget(hours: float, max_hours: float | None, how: str) -> str:
    """Why a run of ``hours`` may not start under ``pretrain.max_hours``, or ''."""
    if max_hours is None or hours <= max_hours:
        return ""
    return (f"pretraining would take {how}, more than pretrain.max_hours {max_hours:g}: choose a smaller recipe "
            "(presets/small_archive.yaml or the demo's small_resnet block; docs/pretraining.md gives each one's "
            "estimate), run on a GPU, or raise pretrain.max_hours")


class Pace:
    """Times a job's steps; after ``TIMED_STEPS`` of them (the first left out), once, the hours
    the rest will take."""

    def __init__(self, end: int):
        self.end, self.times, self.said = end, [], False

    def add(self, step: int, seconds: float) -> float | None:
        """Hours left after ``step`` (0-based) once enough steps are timed, else None."""
        self.times.append(seconds)
        if self.said or len(self.times) < TIMED_STEPS + 1:
            return None
        self.said = True
        return statistics.median(self.times[1:]) * (self.end - step - 1) / 3600
