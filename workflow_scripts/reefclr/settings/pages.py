"""The records of what is shown: the figures and the explorer page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Record


@dataclass(frozen=True)
class Figures(Record):
    section: ClassVar[str] = "figures"
    dpi: int
    point_size: float


@dataclass(frozen=True)
class Explorer(Record):
    section: ClassVar[str] = "explorer"
    max_points: int
    max_media: int
    point_size: float
    version: int
