"""Which clips belong together (one source recording, site, ...) so that no split separates them.

A dataset's ``group_by`` chooses how: ``file`` (the audio file: a long recording's clips
share it), ``pattern`` (the first regex group of the file name, ``group_pattern``),
``directory`` (the file's folder), ``site`` (the manifest's site), ``map`` (a CSV or TSV of
file -> group, ``group_map``), or ``auto`` (pattern when a pattern is given, map when a map
is given, else file). The ``grouping`` label of every table row says which was used, and is
``none`` when every clip is its own group (pre-cut clips grouped by file): then clips of
one recording may sit on both sides of a split.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reefclr.settings import Dataset

LABELS = {"file": "recording", "pattern": "pattern", "directory": "directory", "site": "site", "map": "user map"}


def method(spec: Dataset) -> str:
    """The grouping method of a dataset entry, ``auto`` resolved."""
    chosen = spec.group_by
    if chosen != "auto":
        return chosen
    if spec.group_pattern:
        return "pattern"
    return "map" if spec.group_map else "file"


def label(chosen: str, clips: int, groups: int) -> str:
    """The ``grouping`` column: how groups were made, or ``none`` when no two clips share one."""
    return "none" if groups >= clips else LABELS[chosen]


class Grouper:
    """Maps an audio file (and its site) to its group."""

    def __init__(self, spec: Dataset, root: Path):
        self.method = method(spec)
        self.pattern = spec.group_pattern
        if self.method == "pattern" and not self.pattern:
            raise ValueError(f"dataset {spec.id}: group_by pattern needs group_pattern")
        self.map: dict[str, str] = {}
        if self.method == "map":
            if not spec.group_map:
                raise ValueError(f"dataset {spec.id}: group_by map needs group_map (a CSV of file,group)")
            self.map = read_group_map(root / spec.group_map)

    def __call__(self, path: Path, source: str, site: str) -> str:
        if self.method == "file":
            return source
        if self.method == "directory":
            return Path(source).parent.as_posix()
        if self.method == "site":
            return site
        if self.method == "pattern":
            match = re.search(self.pattern, path.name)
            if match is None:
                raise ValueError(f"{path}: file name does not match group_pattern {self.pattern!r}")
            return match.group(1)
        group = self.map.get(source, self.map.get(path.name))
        if group is None:
            raise ValueError(f"{path}: not in the group map (rows are file,group; file relative to the data "
                             "root, or the bare file name)")
        return group


def read_group_map(path: Path) -> dict[str, str]:
    """file -> group from a CSV/TSV with columns ``file`` and ``group``."""
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    try:
        table = pd.read_csv(path, sep=sep, dtype=str)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: group map not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot parse the group map ({exc})") from exc
    missing = [c for c in ("file", "group") if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: group map lacks column(s) {missing}; has {list(table.columns)}")
    bad = table[table["file"].isna() | table["group"].isna()]
    if len(bad):
        raise ValueError(f"{path}: row {int(bad.index[0]) + 2} has an empty file or group")
    return dict(zip(table["file"].str.strip(), table["group"].str.strip()))
