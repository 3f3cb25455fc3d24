"""Ingest adapters: each dataset format -> the one clip manifest, plus a data-check report.

Formats: ``folders`` (audio files, unlabelled or one folder per class), ``raven`` (long
recordings + Raven selection tables), ``csv`` (a table of file/start/end/label rows) and
``dataset_json`` (the study's index of pre-cut clips). Paths in the manifest are relative
to the data root. A bad audio file stops the job with a message naming file, entry and
reason, or, with ``on_bad_audio: skip``, is left out and listed in the report.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd

from reefclr.data import grouping, manifest
from reefclr.data.audio import AudioInfo, audio_info, fingerprint
from reefclr.data.raven import events_table, read_raven_table
from reefclr.data.segment import clip_offsets, label_clips
from reefclr.settings import Dataset, Segment
from reefclr.data.timestamps import parse_timestamp

log = logging.getLogger(__name__)

MIN_SR, MAX_SR = 2000, 384000


@dataclass
class Ingest:
    """One dataset's ingest: its config, and what was learnt about its files."""

    spec: Dataset
    root: Path
    segment: Segment
    on_bad_audio: str = "error"
    files: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    grouper: grouping.Grouper | None = None

    def __post_init__(self):
        self.grouper = grouping.Grouper(self.spec, self.root)

    @property
    def name(self) -> str:
        return f"dataset {self.spec.id}"

    def resolve(self, rel: str, where: str) -> Path:
        """``root / rel``, refusing paths that escape the data root."""
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"{where}: path {rel!r} escapes the data root {self.root}")
        return path

    def source(self, path: Path) -> str:
        return path.relative_to(self.root.resolve()).as_posix()

    def info(self, path: Path, where: str) -> AudioInfo | None:
        """Header facts of a file; None when it is bad and ``on_bad_audio`` is skip."""
        try:
            info = audio_info(path)
            if info.frames == 0:
                raise ValueError(f"{path}: empty audio (0 samples)")
            if not MIN_SR <= info.sample_rate <= MAX_SR:
                raise ValueError(f"{path}: sample rate {info.sample_rate} Hz outside {MIN_SR}-{MAX_SR} Hz")
            content = fingerprint(path, info)
        except (ValueError, FileNotFoundError) as exc:
            message = f"{where}: {exc}" if where not in str(exc) else str(exc)
            if self.on_bad_audio == "error":
                raise type(exc)(message) from None
            self.problems.append({"source": self.source(path), "entry": where, "reason": str(exc),
                                  "action": "skipped"})
            log.warning("skipped: %s", message)
            return None
        self.files.append({"source": self.source(path), "sample_rate": info.sample_rate,
                           "channels": info.channels, "duration_s": round(info.duration_s, 3),
                           "fingerprint": content})
        return info

    def clip_rows(self, path: Path, info: AudioInfo, *, span: tuple[float, float] | None = None,
                  events: pd.DataFrame | None = None, label: str | None = None,
                  site: str | None = None) -> list[dict]:
        """Clips of one recording (or of ``span`` of it), labelled by ``events`` or by ``label``."""
        seg = self.segment
        start, stop = span if span is not None else (0.0, info.duration_s)
        offsets = start + clip_offsets(min(stop, info.duration_s) - start, seg.clip_s, seg.hop_s, seg.tail)
        if events is not None:
            labels, dropped = label_clips(offsets, seg.clip_s, events, seg.min_overlap,
                                          self.spec.background_label)
            self.dropped.update(dropped)
        else:
            labels = [label] * len(offsets)
        return [self.row(path, off, lab, site) for off, lab in zip(offsets, labels)
                if lab is not None or events is None]

    def row(self, path: Path, offset_s: float, label: str | None, site: str | None, entry: int | None = None) -> dict:
        """One manifest row; ``start_time`` from the file name's timestamp when it has one."""
        source = self.source(path)
        site = site or self.spec.id
        t0 = parse_timestamp(path.name)
        return dict(clip_id=manifest.make_clip_id(source, offset_s), source=source,
                    offset_s=round(float(offset_s), 6), duration_s=self.segment.clip_s, label=label,
                    group=self.grouper(path, source, site), site=site,
                    start_time=(t0 + timedelta(seconds=float(offset_s))) if t0 else pd.NaT, entry=entry)

    def report(self, clips: pd.DataFrame) -> dict:
        """Facts for the data check: files (with their group, clip count and fingerprint),
        clips, recordings and groups per class, groups holding several classes, how groups
        were made, problems."""
        labels = clips["label"].fillna("(unlabelled)")
        classes = labels.value_counts().sort_index()
        groups_per_class = clips.groupby(labels)["group"].nunique().sort_index()
        recordings_per_class = clips.groupby(labels)["source"].nunique().sort_index()
        classes_per_group = clips.groupby("group")["label"].nunique()
        class_groups = clips.groupby(labels)["group"].apply(lambda g: sorted(set(g))[:3])
        per_file = clips.groupby("source").agg(group=("group", "first"), clips=("clip_id", "size"))
        files = [f | per_file.loc[f["source"]].to_dict() if f["source"] in per_file.index else f | {"clips": 0}
                 for f in self.files]
        n_groups = int(clips["group"].nunique())
        return {"dataset": self.spec.id, "role": self.spec.role, "clips": len(clips),
                "classes": {str(k): int(v) for k, v in classes.items()}, "groups": n_groups,
                "groups_per_class": {str(k): int(v) for k, v in groups_per_class.items()},
                "recordings_per_class": {str(k): int(v) for k, v in recordings_per_class.items()},
                "recordings": int(clips["source"].nunique()),
                "mixed_groups": int((classes_per_group > 1).sum()),
                "class_groups": {str(k): list(v) for k, v in class_groups.items()},
                "grouping": grouping.label(self.grouper.method, len(clips), n_groups),
                "files": [{k: (int(v) if k == "clips" else v) for k, v in f.items()} for f in files],
                "problems": self.problems, "dropped_clips": dict(self.dropped)}


def build_manifest(spec: Dataset, root: str | Path, segment: Segment, on_bad_audio: str = "error"
                   ) -> tuple[pd.DataFrame, dict]:
    """The clip manifest of one dataset entry of the config, and its data-check report."""
    if spec.hop_s:
        segment = dataclasses.replace(segment, hop_s=spec.hop_s)
    ctx = Ingest(spec, Path(root), segment, on_bad_audio)
    adapter = {"folders": _folders, "raven": _raven, "csv": _csv, "dataset_json": _dataset_json}[spec.format]
    df = pd.DataFrame(adapter(ctx), columns=[c for c in manifest.COLUMNS if c not in ("shard", "dataset", "role")])
    df["dataset"] = spec.id
    df["role"] = spec.role
    df = _map_labels(df, spec)
    out = manifest.finalize(df, spec.shards, ctx.name)
    _check_labels(out, spec)
    report = ctx.report(out)
    if spec.role == "test" and report["grouping"] == "none":
        log.warning("%s: every clip is its own group: clips of one recording may sit on both sides of a split "
                    "(set group_by / group_pattern / group_map)", ctx.name)
    return out, report


def list_audio(folder: Path, extensions: list[str]) -> list[Path]:
    """Audio files under ``folder`` (recursive), matched case-insensitively, sorted."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: audio folder not found")
    exts = {"." + e.lower().lstrip(".") for e in extensions}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in exts)


def _folders(ctx: Ingest) -> list[dict]:
    spec = ctx.spec
    folder = ctx.resolve(spec.path, ctx.name)
    files = list_audio(folder, spec.extensions)
    if not files:
        raise ValueError(f"{ctx.name}: no audio files with extensions {list(spec.extensions)} under {folder}")
    rows: list[dict] = []
    for path in files:
        rel = path.relative_to(folder).parts
        first = rel[0] if len(rel) > 1 else None
        if spec.label_from_folder and first is None:
            raise ValueError(f"{path}: label_from_folder needs each file inside a class folder")
        info = ctx.info(path, ctx.name)
        if info is not None:
            rows += ctx.clip_rows(path, info, label=first if spec.label_from_folder else None,
                                  site=spec.site or first)
    return rows


def _raven(ctx: Ingest) -> list[dict]:
    spec = ctx.spec
    audio_dir = ctx.resolve(spec.audio, ctx.name)
    table_dir = ctx.resolve(spec.annotations, ctx.name)
    recordings = list_audio(audio_dir, spec.extensions)
    if not recordings:
        raise ValueError(f"{ctx.name}: no recordings under {audio_dir}")
    tables = sorted(table_dir.glob("*.txt")) if table_dir.is_dir() else []
    if not tables:
        raise ValueError(f"{ctx.name}: no Raven selection tables (*.txt) under {table_dir}")
    events = pd.concat([_tag_table(t, spec.label_column) for t in tables], ignore_index=True)
    rows: list[dict] = []
    matched: set[int] = set()
    for path in recordings:
        mine = events[(events["begin_file"] == path.name) | (events["table_stem"] == path.stem)]
        matched |= set(mine.index)
        info = ctx.info(path, ctx.name)
        if info is not None:
            rows += ctx.clip_rows(path, info, events=mine, site=spec.site)
    orphans = events.drop(index=list(matched))
    if len(orphans):
        raise ValueError(
            f"{ctx.name}: {len(orphans)} selections match no recording, e.g. table {orphans.iloc[0]['table']} "
            "(tables are matched by 'Begin File' or by '<recording stem>.*.txt')"
        )
    return rows


def _tag_table(path: Path, label_column: str) -> pd.DataFrame:
    table = read_raven_table(path, label_column)
    if "begin_file" not in table.columns:
        table["begin_file"] = ""
    table["table"] = path.name
    table["table_stem"] = path.name.split(".")[0]
    return table


def _csv(ctx: Ingest) -> list[dict]:
    """Rows of (file, start, end, label[, dataset]): each span is cut into clips with its label;
    an empty start/end means the file's start/end."""
    spec, cols = ctx.spec, ctx.spec.columns
    path = ctx.resolve(spec.path, ctx.name)
    sep = spec.sep or ("\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    try:
        table = pd.read_csv(path, sep=sep, dtype={cols.file: str})
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: manifest table not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot parse as a table with separator {sep!r} ({exc})") from exc
    needed = [cols.file] + ([cols.label] if spec.role == "test" else [])
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: table lacks column(s) {missing}; has {list(table.columns)} "
                         "(map names with the dataset's `columns:`)")
    if spec.dataset is not None and cols.dataset in table.columns:
        table = table[table[cols.dataset] == spec.dataset]
    rows: list[dict] = []
    for i, rec in table.iterrows():
        where = f"{path}: row {i + 2}"  # +1 header, +1 one-based
        audio = ctx.resolve(str(rec[cols.file]), where)
        info = ctx.info(audio, where)
        if info is None:
            continue
        start = _optional_time(rec, cols.start, 0.0, where)
        end = _optional_time(rec, cols.end, info.duration_s, where)
        if end <= start:
            raise ValueError(f"{where}: invalid times start={start} end={end}")
        label = rec.get(cols.label) if cols.label in table.columns else None
        label = None if label is None or pd.isna(label) else str(label).strip()
        if spec.role == "test" and not label:
            raise ValueError(f"{where}: empty label in column {cols.label!r}")
        rows += ctx.clip_rows(audio, info, span=(start, end), label=label, site=spec.site)
    return rows


def _optional_time(rec, column: str, default: float, where: str) -> float:
    value = rec.get(column)
    if value is None or pd.isna(value) or str(value).strip() == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{where}: {column} {value!r} is not a number of seconds") from None


def _dataset_json(ctx: Ingest) -> list[dict]:
    spec = ctx.spec
    path = ctx.resolve(spec.path, ctx.name)
    try:
        index = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: dataset.json not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: invalid JSON ({exc})") from exc
    entries = index.get("audio") if isinstance(index, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected {{\"audio\": [entry, ...]}}")
    rows: list[dict] = []
    for i, entry in enumerate(entries):
        where = f"{path}: entry {i}"
        if not isinstance(entry, dict) or "file_name" not in entry or "data_type" not in entry:
            raise ValueError(f"{where}: needs keys file_name and data_type")
        if entry["data_type"] != spec.data_type:
            continue
        if spec.dataset is not None and entry.get("dataset") != spec.dataset:
            continue
        label = entry.get("class")
        if spec.role == "test" and (label is None or str(label).strip() == ""):
            raise ValueError(f"{where}: test clip {entry['file_name']!r} has no class")
        clip = ctx.resolve(entry["file_name"], where)
        info = ctx.info(clip, where)
        if info is None:
            continue
        rows.append(ctx.row(clip, 0.0, None if label is None else str(label), spec.site, entry=i))
    return rows


def _map_labels(df: pd.DataFrame, spec: Dataset) -> pd.DataFrame:
    """Rename labels by the dataset's ``label_map`` (a label mapped to null drops its clips)."""
    mapping = spec.label_map or {}
    if not mapping:
        return df
    unknown = sorted(set(mapping) - set(df["label"].dropna()))
    if unknown:
        log.warning("dataset %s: label_map names label(s) not in the data: %s", spec.id, unknown)
    dropped = df["label"].isin([k for k, v in mapping.items() if v is None])
    renamed = df.loc[~dropped].copy()
    renamed["label"] = renamed["label"].map(lambda lab: mapping.get(lab, lab) if isinstance(lab, str) else lab)
    if dropped.any():
        log.info("dataset %s: label_map dropped %d clips", spec.id, int(dropped.sum()))
    return renamed


def _check_labels(df: pd.DataFrame, spec: Dataset) -> None:
    allowed = spec.labels
    if allowed is not None:
        unknown = sorted(set(df["label"].dropna()) - set(allowed))
        if unknown:
            example = df[df["label"] == unknown[0]].iloc[0]["source"]
            raise ValueError(f"dataset {spec.id}: unknown label(s) {unknown} (e.g. in {example}); "
                             f"allowed: {list(allowed)}")
    if spec.role != "test" or df.empty:
        return
    if df["label"].isna().any():
        raise ValueError(f"dataset {spec.id}: {int(df['label'].isna().sum())} test clips have no label")
    classes = {str(k): int(v) for k, v in df["label"].value_counts().items()}
    if len(classes) < 2:
        raise ValueError(f"dataset {spec.id}: a test set needs at least 2 classes, found {classes}")
    log.info("dataset %s: %d clips, classes %s", spec.id, len(df), classes)
