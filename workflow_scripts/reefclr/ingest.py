"""Ingest adapters: each dataset format -> the one clip manifest.

Formats: ``folders`` (audio files, unlabelled or one folder per class), ``raven`` (long
recordings + Raven selection tables) and ``dataset_json`` (the study's index of pre-cut
clips). Paths in the manifest are relative to the data root.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pandas as pd

from . import manifest
from .audio import audio_info
from .segment import clip_offsets, label_clips

log = logging.getLogger(__name__)

RAVEN_BEGIN = "Begin Time (s)"
RAVEN_END = "End Time (s)"


def resolve_under(root: Path, rel: str, what: str) -> Path:
    """``root / rel``, refusing paths that escape the data root."""
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"{what}: path {rel!r} escapes the data root {root}")
    return path


def list_audio(folder: Path, extensions: list[str]) -> list[Path]:
    """Audio files under ``folder`` (recursive), matched case-insensitively, sorted."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: audio folder not found")
    exts = {"." + e.lower().lstrip(".") for e in extensions}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in exts)


def build_manifest(spec: dict, root: str | Path, segment: dict) -> pd.DataFrame:
    """The clip manifest of one dataset entry of the config."""
    root = Path(root)
    adapter = {"folders": _folders, "raven": _raven, "dataset_json": _dataset_json}[spec["format"]]
    rows = adapter(spec, root, segment)
    df = pd.DataFrame(rows, columns=[c for c in manifest.COLUMNS if c != "shard"])
    df["dataset"] = spec["id"]
    df["role"] = spec["role"]
    if spec["role"] == "test":
        _check_test_labels(df, spec["id"])
    return manifest.finalize(df, spec["shards"], f"dataset {spec['id']}")


def _recording_rows(path: Path, root: Path, segment: dict, events: pd.DataFrame | None,
                    background: str | None, label: str | None, site: str) -> list[dict]:
    info = audio_info(path)
    offsets = clip_offsets(info.duration_s, segment["clip_s"], segment["hop_s"], segment["tail"])
    if events is not None:
        labels, dropped = label_clips(offsets, segment["clip_s"], events, segment["min_overlap"], background)
        if any(dropped.values()):
            log.info("%s: dropped clips %s", path.name, dropped)
    else:
        labels = [label] * len(offsets)
    source = path.relative_to(root.resolve()).as_posix()
    return [
        dict(clip_id=manifest.make_clip_id(source, off), source=source, offset_s=off,
             duration_s=segment["clip_s"], label=lab, group=source, site=site)
        for off, lab in zip(offsets, labels)
        if lab is not None or events is None
    ]


def _folders(spec: dict, root: Path, segment: dict) -> list[dict]:
    folder = resolve_under(root, spec["path"], f"dataset {spec['id']}")
    files = list_audio(folder, spec["extensions"])
    if not files:
        raise ValueError(f"dataset {spec['id']}: no audio files with extensions {spec['extensions']} under {folder}")
    rows: list[dict] = []
    for path in files:
        rel = path.relative_to(folder).parts
        first = rel[0] if len(rel) > 1 else None
        label = first if spec["label_from_folder"] else None
        if spec["label_from_folder"] and first is None:
            raise ValueError(f"{path}: label_from_folder needs each file inside a class folder")
        site = spec["site"] or first or spec["id"]
        rows += _recording_rows(path, root, segment, None, None, label, site)
    return rows


def read_raven_table(path: Path, label_column: str) -> pd.DataFrame:
    """A Raven selection table -> columns begin_s, end_s, label (and begin_file if present)."""
    try:
        table = pd.read_csv(path, sep="\t")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a tab-separated Raven selection table ({exc})") from exc
    missing = [c for c in (RAVEN_BEGIN, RAVEN_END, label_column) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: Raven table lacks column(s) {missing}; has {list(table.columns)}")
    out = pd.DataFrame({
        "begin_s": pd.to_numeric(table[RAVEN_BEGIN], errors="coerce"),
        "end_s": pd.to_numeric(table[RAVEN_END], errors="coerce"),
        "label": table[label_column].astype("string").str.strip(),
    })
    if "Begin File" in table.columns:
        out["begin_file"] = table["Begin File"].astype(str)
    for i, row in out.iterrows():
        where = f"{path}: selection row {i + 1}"
        if pd.isna(row.begin_s) or pd.isna(row.end_s) or row.end_s <= row.begin_s or row.begin_s < 0:
            raise ValueError(f"{where}: invalid times begin={row.begin_s} end={row.end_s}")
        if pd.isna(row.label) or not row.label:
            raise ValueError(f"{where}: empty label in column {label_column!r}")
    return out


def _raven(spec: dict, root: Path, segment: dict) -> list[dict]:
    audio_dir = resolve_under(root, spec["audio"], f"dataset {spec['id']}")
    table_dir = resolve_under(root, spec["annotations"], f"dataset {spec['id']}")
    recordings = list_audio(audio_dir, spec["extensions"])
    if not recordings:
        raise ValueError(f"dataset {spec['id']}: no recordings under {audio_dir}")
    tables = sorted(table_dir.glob("*.txt"))
    if not tables:
        raise ValueError(f"dataset {spec['id']}: no Raven selection tables (*.txt) under {table_dir}")
    events = pd.concat([_tag_table(t, spec["label_column"]) for t in tables], ignore_index=True)
    rows: list[dict] = []
    matched = set()
    for path in recordings:
        mine = events[(events["begin_file"] == path.name) | (events["table_stem"] == path.stem)]
        matched |= set(mine.index)
        rows += _recording_rows(path, root, segment, mine, spec["background_label"], None,
                                spec["site"] or spec["id"])
    orphans = events.drop(index=list(matched))
    if len(orphans):
        raise ValueError(
            f"dataset {spec['id']}: {len(orphans)} selections match no recording, e.g. table "
            f"{orphans.iloc[0]['table']} (tables are matched by 'Begin File' or by '<recording stem>.*.txt')"
        )
    return rows


def _tag_table(path: Path, label_column: str) -> pd.DataFrame:
    table = read_raven_table(path, label_column)
    if "begin_file" not in table.columns:
        table["begin_file"] = ""
    table["table"] = path.name
    table["table_stem"] = path.name.split(".")[0]
    return table


def _dataset_json(spec: dict, root: Path, segment: dict) -> list[dict]:
    path = resolve_under(root, spec["path"], f"dataset {spec['id']}")
    try:
        index = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: dataset.json not found") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON ({exc})") from exc
    entries = index.get("audio") if isinstance(index, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected {{\"audio\": [entry, ...]}}")
    pattern = re.compile(spec["group_pattern"]) if spec["group_pattern"] else None
    if pattern is None and spec["role"] == "test":
        log.warning("dataset %s: no group_pattern; every clip is its own group", spec["id"])
    rows: list[dict] = []
    for i, entry in enumerate(entries):
        where = f"{path}: entry {i}"
        if not isinstance(entry, dict) or "file_name" not in entry or "data_type" not in entry:
            raise ValueError(f"{where}: needs keys file_name and data_type")
        if entry["data_type"] != spec["data_type"]:
            continue
        if spec["dataset"] is not None and entry.get("dataset") != spec["dataset"]:
            continue
        label = entry.get("class")
        if spec["role"] == "test" and (label is None or str(label).strip() == ""):
            raise ValueError(f"{where}: test clip {entry['file_name']!r} has no class")
        clip = resolve_under(root, entry["file_name"], where)
        audio_info(clip)  # fails early, naming the entry, on a missing or unreadable clip
        source = clip.relative_to(root.resolve()).as_posix()
        group = source
        if pattern is not None:
            match = pattern.search(Path(source).name)
            if match is None:
                raise ValueError(f"{where}: file name {source!r} does not match group_pattern {spec['group_pattern']!r}")
            group = match.group(1)
        rows.append(dict(clip_id=manifest.make_clip_id(source, 0.0), source=source, offset_s=0.0,
                         duration_s=segment["clip_s"],
                         label=None if label is None else str(label), group=group,
                         site=spec["site"] or spec["id"]))
    return rows


def _check_test_labels(df: pd.DataFrame, dataset_id: str) -> None:
    if df["label"].isna().any():
        raise ValueError(f"dataset {dataset_id}: {int(df['label'].isna().sum())} test clips have no label")
    classes = df["label"].value_counts()
    if len(classes) < 2:
        raise ValueError(f"dataset {dataset_id}: a test set needs at least 2 classes, found {dict(classes)}")
    log.info("dataset %s: %d clips, classes %s", dataset_id, len(df), dict(classes))
