"""Where this process stands in a data-parallel run (``torchrun``): its rank among how many."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0
