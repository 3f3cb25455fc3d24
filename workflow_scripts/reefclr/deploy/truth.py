"""Known events of a deployment, per sound, and detections scored against them.

Known events come from Raven tables ``<recording stem>.*.txt``; each sound takes the events of
its own labels (``Classifier.labels_of_truth``), and labels named unknown (DCASE task 5's
``UNK``) make a detection neither right nor wrong. Windows the classifier was trained on, and the
events and detections they touch, are left out of scoring, as DCASE task 5 leaves out the shots.
Detections are scored as DCASE task 5's ``evaluation.py`` does (c4dm/dcase-few-shot-bioacoustic):
one-to-one matches with intersection over union above ``min_iou`` (Hopcroft-Karp), then the
unmatched detections matched to unknown events and dropped; with intervals over recordings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.core.resample import group_resamples
from reefclr.settings import Deploy

SCORE_COLUMNS = ["level", "name", "recordings", "detections", "known", "matched", "unknown", "precision",
                 "precision_low", "precision_high", "recall", "recall_low", "recall_high", "f1", "f1_low", "f1_high"]
RECORDING_COLUMNS = ["source", "site", "detections", "known", "matched", "unknown"]


@dataclass(frozen=True)
class Known:
    """Known events of the recordings ``covered`` (a table without rows: a recording without
    events): ``sound`` those of the sound, ``unknown`` the uncertain ones; source, begin_s, end_s."""

    sound: pd.DataFrame
    unknown: pd.DataFrame
    covered: frozenset


@dataclass(frozen=True)
class TruthSpec:
    """Where known events are and which labels are the sound (``Deploy.truth_of``)."""

    folder: Path
    column: str
    labels: tuple[str, ...]
    unknown: tuple[str, ...]

    @classmethod
    def of(cls, deploy: Deploy, root: str, sound: str) -> TruthSpec | None:
        """The known events of ``sound`` in the config, if it names any."""
        if not deploy.truth:
            return None
        t = deploy.truth_of(sound)
        return cls(Path(root) / t["folder"], t["column"], tuple(t["labels"]), tuple(t["unknown"]))


def load(spec: TruthSpec, sources: list[str]) -> Known:
    """The known events of ``sources`` for one sound: each Raven table under the folder (or a
    sub-folder) belongs to the recording whose stem its name starts with (``<stem>.*.txt``)."""
    from reefclr.data.raven import read_raven_table

    rows, covered = [], set()
    folder = Path(spec.folder)
    for table in sorted(folder.rglob("*.txt")):
        source = recording_of(table.relative_to(folder), sources)
        if source is not None:
            rows.append(read_raven_table(table, spec.column).assign(source=source))
            covered.add(source)
    if not rows:
        raise ValueError(f"{folder}: no Raven table matches a recording of the deployment (<recording stem>.*.txt)")
    events = pd.concat(rows, ignore_index=True)[["source", "begin_s", "end_s", "label"]]
    return Known(events[events["label"].isin(spec.labels)].reset_index(drop=True),
                 events[events["label"].isin(spec.unknown)].reset_index(drop=True), frozenset(covered))


def recording_of(table: Path, sources: list[str]) -> str | None:
    """The recording a table (its path under the truth folder) belongs to: the longest stem its
    name starts with, followed by a dot; where recordings of several folders share that stem,
    the one whose folder ends with the table's sub-folder. Ambiguous: an error naming both."""
    parts = table.name.split(".")
    stems = {".".join(parts[:i]) for i in range(1, len(parts))}
    found = [s for s in sources if Path(s).stem in stems]
    if found:
        longest = max(len(Path(s).stem) for s in found)
        found = [s for s in found if len(Path(s).stem) == longest]
    if len(found) > 1 and table.parent != Path("."):
        found = [s for s in found if Path(s).parent.as_posix().endswith(table.parent.as_posix())]
    if len(found) > 1:
        raise ValueError(f"{table}: recordings {found} share its name; put each one's table in a sub-folder named "
                         "as its recording's folder (for example reef01/)")
    return found[0] if found else None


def overlapping(spans: pd.DataFrame, windows: pd.DataFrame, start: str = "begin_s", end: str = "end_s") -> np.ndarray:
    """Per row of ``spans`` (source, ``start``, ``end``), whether it overlaps a window (source,
    offset_s, end_s) of its recording."""
    hit = np.zeros(len(spans), dtype=bool)
    for source, mine in windows.groupby("source"):
        rows = np.flatnonzero((spans["source"] == source).to_numpy())
        if len(rows):
            a, b = spans[start].to_numpy()[rows, None], spans[end].to_numpy()[rows, None]
            hit[rows] = ((np.minimum(b, mine["end_s"].to_numpy()[None]) -
                          np.maximum(a, mine["offset_s"].to_numpy()[None])) > 0).any(1)
    return hit


def leave_out(known: Known, found: pd.DataFrame, trained: pd.DataFrame) -> tuple[Known, pd.DataFrame]:
    """Known events and detections without those touching a window the classifier was trained on."""
    if trained.empty:
        return known, found
    keep = Known(known.sound[~overlapping(known.sound, trained)], known.unknown[~overlapping(known.unknown, trained)],
                 known.covered)
    return keep, found[~overlapping(found, trained, "offset_s", "end_s")]


def windows_with_sound(windows: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Per window (source, offset_s, end_s), whether it overlaps a known event of the sound."""
    spans = windows.rename(columns={"offset_s": "begin_s"})
    return pd.Series(overlapping(spans, events.rename(columns={"begin_s": "offset_s"})), index=windows.index)


def iou(found: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """Intersection over union of every detection (rows) and event (columns) of one recording;
    0 where they do not overlap."""
    d0, d1 = found["offset_s"].to_numpy()[:, None], found["end_s"].to_numpy()[:, None]
    t0, t1 = events["begin_s"].to_numpy()[None], events["end_s"].to_numpy()[None]
    inter = np.minimum(d1, t1) - np.maximum(d0, t0)
    span = np.maximum(d1, t1) - np.minimum(d0, t0)
    return np.where(inter > 0, inter / np.where(span > 0, span, 1), 0.0)


def matches(found: pd.DataFrame, events: pd.DataFrame, min_iou: float) -> np.ndarray:
    """The detections (positions) in a maximum one-to-one matching with the events at IoU above
    ``min_iou``: the matching DCASE task 5's evaluation.py takes (mir_eval's Hopcroft-Karp over
    the detections and the events in order of start time, edges event by event). Where several
    maximum matchings exist they leave different detections for the unknown events, and so
    different false positives; this one leaves DCASE's, whatever the order of the rows."""
    if found.empty or events.empty:
        return np.array([], dtype=int)
    est = np.argsort(found["offset_s"].to_numpy(), kind="stable")
    ref = np.argsort(events["begin_s"].to_numpy(), kind="stable")
    graph: dict[int, list[int]] = {}
    for r, e in zip(*np.nonzero(iou(found.iloc[est], events.iloc[ref]).T > min_iou)):
        graph.setdefault(int(e), []).append(int(r))
    return np.sort(est[list(_bipartite_match(graph).values())])


def _bipartite_match(graph: dict[int, list[int]]) -> dict[int, int]:
    """A maximum matching of a bipartite graph given as left vertex -> its right neighbours:
    right vertex -> left vertex. Hopcroft-Karp as mir_eval.util._bipartite_match (MIT License,
    Copyright (c) 2014 Colin Raffel; after David Eppstein's PADS), step for step, so that it
    picks among maximum matchings as DCASE task 5's evaluation, which calls it, does."""
    matching: dict[int, int] = {}
    for u in graph:  # a greedy start
        for v in graph[u]:
            if v not in matching:
                matching[v] = u
                break
    while True:
        # the residual graph in layers: pred[u], u's neighbour in the previous layer; preds[v],
        # v's neighbours in the previous layer; unmatched, the free vertices of V in the last
        # layer (and the mark of pred[u] for u in the first layer)
        preds: dict[int, list[int]] = {}
        unmatched: list[int] = []
        pred = {u: unmatched for u in graph}
        for v in matching:
            del pred[matching[v]]
        layer = list(pred)
        while layer and not unmatched:
            new_layer: dict[int, list[int]] = {}
            for u in layer:
                for v in graph[u]:
                    if v not in preds:
                        new_layer.setdefault(v, []).append(u)
            layer = []
            for v in new_layer:
                preds[v] = new_layer[v]
                if v in matching:
                    layer.append(matching[v])
                    pred[matching[v]] = v
                else:
                    unmatched.append(v)
        if not unmatched:  # no augmenting path left
            return matching

        def augment(v) -> bool:
            """Search back through the layers for an alternating path ending at ``v``."""
            for u in preds.pop(v, ()):
                if u in pred:
                    pu = pred.pop(u)
                    if pu is unmatched or augment(pu):
                        matching[v] = u
                        return True
            return False

        for v in unmatched:
            augment(v)


def recording_counts(found: pd.DataFrame, known: Known, min_iou: float) -> dict:
    """One recording's detections, events of the sound, detections matched to them, and of the
    rest those matched to unknown events (neither right nor wrong)."""
    hit = matches(found, known.sound, min_iou)
    rest = found.drop(found.index[hit])
    return dict(detections=len(found), known=len(known.sound), matched=len(hit),
                unknown=len(matches(rest, known.unknown, min_iou)))


def per_recording(found: pd.DataFrame, known: Known, sites: dict[str, str], min_iou: float) -> pd.DataFrame:
    """Per covered recording: its site and ``recording_counts``."""
    rows = []
    for source in sorted(known.covered):
        mine = Known(known.sound[known.sound["source"] == source], known.unknown[known.unknown["source"] == source],
                     frozenset({source}))
        rows.append(dict(source=source, site=sites.get(source, "")) |
                    recording_counts(found[found["source"] == source], mine, min_iou))
    return pd.DataFrame(rows, columns=RECORDING_COLUMNS)


def _prf(counts: pd.DataFrame) -> tuple[float, float, float]:
    det, known, matched, unknown = (float(counts[c].sum()) for c in ("detections", "known", "matched", "unknown"))
    judged = det - unknown
    p = matched / judged if judged else 0.0
    r = matched / known if known else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(recordings: pd.DataFrame, seed: int, level: float = 0.9) -> pd.DataFrame:
    """Precision, recall and F1 of the matches pooled over the recordings of each site and of all
    sites, each with a ``level`` interval over bootstrap resamples of recordings (NaN below 2
    recordings); one row per recording beside them."""
    rows = []
    parts = [("all", "all", recordings)] + [("site", site, part) for site, part in recordings.groupby("site")]
    for level_name, name, part in parts:
        p, r, f1 = _prf(part)
        row = dict(level=level_name, name=name, recordings=len(part),
                   **{c: int(part[c].sum()) for c in ("detections", "known", "matched", "unknown")},
                   precision=p, recall=r, f1=f1)
        bounds = np.full((2, 3), np.nan)
        if len(part) >= 2:
            draws = np.array([_prf(part.iloc[idx]) for idx in group_resamples(part["source"].to_numpy(), seed)])
            bounds = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        for k, metric in enumerate(("precision", "recall", "f1")):
            row |= {f"{metric}_low": float(bounds[0, k]), f"{metric}_high": float(bounds[1, k])}
        rows.append(row)
    for _, r in recordings.iterrows():
        p, rec, f1 = _prf(r.to_frame().T)
        rows.append(dict(level="recording", name=r["source"], recordings=1,
                         **{c: r[c] for c in ("detections", "known", "matched", "unknown")},
                         precision=p, recall=rec, f1=f1))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def overlap_scores(found: pd.DataFrame, known: Known, min_overlap_s: float) -> dict:
    """Event-level precision, recall and F1 by overlap: a detection is right when it overlaps an
    event of the sound by more than ``min_overlap_s``; an event is found when a detection does."""
    found = found[found["source"].isin(known.covered)]
    right, hit = 0, set()
    for d in found.itertuples():
        mine = known.sound[known.sound["source"] == d.source]
        overlap = np.minimum(mine["end_s"], d.end_s) - np.maximum(mine["begin_s"], d.offset_s)
        matched = mine.index[overlap.to_numpy() > min_overlap_s]
        right += bool(len(matched))
        hit |= set(matched)
    n = len(known.sound)
    precision = right / len(found) if len(found) else 0.0
    recall = len(hit) / n if n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(recordings=len(known.covered), detections=int(len(found)), true_detections=int(right),
                known_events=n, found_events=int(len(hit)), precision=precision, recall=recall, f1=f1,
                rule=f"a detection and a known event of the same recording overlap by more than {min_overlap_s} s")
