"""A linear classifier per sound on one embedder's vectors, in a portable file that carries
the embedder's name and weights checksum, with intervals on its grouped validation; every
window of a deployment scored; detections merged into events; site x hour summaries and
occupancy-ready detection histories; event-level precision and recall on known events, by
overlap and by one-to-one matching at IoU >= 0.3 (DCASE task 5), with intervals over recordings.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.core.vectors import matrix
from reefclr.settings import Deploy

log = logging.getLogger(__name__)
FORMAT = "reefclr-linear-classifier/1"
BOOTSTRAP = 1000  # resamples of recordings behind every interval here


def reviewed_examples(path: Path, column: str, positive: list[str], negative: list[str],
                      windows: pd.DataFrame, skip: list[str] = ()) -> pd.DataFrame:
    """The deployment windows a reviewed Raven table marks (by its ``Source`` column, the
    workflow's path of the recording, where present, else by Begin File; and Begin Time),
    labelled 1 (a positive value) or 0 (a negative one); rows left blank or marked with a
    ``skip`` value (unsure) are not used. Any other value, or a row that matches no window, is
    an error naming the file and the row."""
    from reefclr.data.raven import one_row_per_selection

    table = one_row_per_selection(pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False))
    by = "Source" if "Source" in table.columns else "Begin File"
    missing = [c for c in (by, "Begin Time (s)", column) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: reviewed table lacks column(s) {missing}; has {list(table.columns)}")
    names = windows["source"] if by == "Source" else windows["source"].map(lambda s: Path(s).name)
    key = windows.assign(file=names.to_numpy(), start=windows["offset_s"].round(3)).set_index(["file", "start"])
    rows = []
    for i, row in table.iterrows():
        value = row[column].strip()
        if not value or value in skip:
            continue
        if value not in positive + negative:
            raise ValueError(f"{path}: row {i + 1}: {column} {value!r} is neither positive {positive} nor "
                             f"negative {negative} (deploy.classifiers)")
        at = (row[by], round(float(row["Begin Time (s)"]), 3))
        if at not in key.index:
            raise ValueError(f"{path}: row {i + 1}: no window of the deployment starts at {at[1]} s in {at[0]}")
        match = key.loc[[at]]
        if len(match) > 1:
            raise ValueError(f"{path}: row {i + 1}: {len(match)} recordings are named {at[0]} (several sites); "
                             "add a Source column with the recording's path under data.root")
        rows.append(match.reset_index(drop=True).assign(y=int(value in positive)))
    if not rows:
        raise ValueError(f"{path}: no reviewed rows (column {column!r} is empty everywhere)")
    out = pd.concat(rows, ignore_index=True)
    return out.assign(group=out["source"])


def dataset_examples(table: pd.DataFrame, positive: list[str], where: str) -> pd.DataFrame:
    """A labelled test set as examples: 1 for the ``positive`` labels, 0 for the rest."""
    unknown = sorted(set(positive) - set(table["label"]))
    if unknown:
        raise ValueError(f"{where}: positive label(s) {unknown} not in the dataset's labels "
                         f"{sorted(table['label'].unique())}")
    return table.assign(y=table["label"].isin(positive).astype(int))


def _model(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=5000,
                                                              random_state=seed))


def threshold_for_precision(y: np.ndarray, score: np.ndarray, target: float) -> tuple[float, bool]:
    """The lowest threshold whose detections reach ``target`` precision (and whether any does;
    if none, the threshold of the highest precision)."""
    from sklearn.metrics import precision_recall_curve

    precision, _, thresholds = precision_recall_curve(y, score)
    ok = np.flatnonzero(precision[:-1] >= target)
    if len(ok):
        return float(thresholds[ok[0]]), True
    return float(thresholds[np.argmax(precision[:-1])]), False


def validation_scores(y: np.ndarray, score: np.ndarray, threshold: float) -> dict:
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

    hit = score >= threshold
    return dict(roc_auc=float(roc_auc_score(y, score)), average_precision=float(average_precision_score(y, score)),
                precision=float(precision_score(y, hit, zero_division=0)),
                recall=float(recall_score(y, hit, zero_division=0)), f1=float(f1_score(y, hit, zero_division=0)))


def _resamples(groups: np.ndarray, seed: int, n: int = BOOTSTRAP):
    """Positions of ``n`` bootstrap resamples of whole groups (recordings)."""
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])


def validation_intervals(y: np.ndarray, score: np.ndarray, groups: np.ndarray, threshold: float, seed: int
                         ) -> dict:
    """Over bootstrap resamples of recordings: a 95% interval of the grouped-validation ROC-AUC
    and the one-sided 95% lower bound of the precision at ``threshold``; ``near_chance`` when
    the ROC-AUC interval reaches 0.5."""
    from sklearn.metrics import roc_auc_score

    aucs, precisions = [], []
    for idx in _resamples(groups, seed):
        yy, ss = y[idx], score[idx]
        if 0 < yy.sum() < len(yy):
            aucs.append(roc_auc_score(yy, ss))
        hit = ss >= threshold
        if hit.any():
            precisions.append(yy[hit].mean())
    low, high = (np.quantile(aucs, [0.025, 0.975]) if aucs else (np.nan, np.nan))
    precision_low = float(np.quantile(precisions, 0.05)) if precisions else float("nan")
    return dict(roc_auc_low=float(low), roc_auc_high=float(high), precision_low=precision_low,
                near_chance=bool(not np.isfinite(low) or low <= 0.5), resamples=BOOTSTRAP,
                interval="bootstrap over recordings: ROC-AUC 95%, precision one-sided 95% lower bound")


def train(examples: pd.DataFrame, sound: str, deploy: Deploy, weights_sha256: str, seed: int, source: str) -> dict:
    """The portable classifier of ``sound``: a standardised logistic regression, validated on
    grouped folds (whole recordings held out), with the threshold for the target precision."""
    from sklearn.model_selection import GroupKFold

    cfg, embedder, target_precision = deploy.classifiers[sound], deploy.embedder, deploy.detect.target_precision
    y, groups, x = examples["y"].to_numpy(), examples["group"].to_numpy(), matrix(examples, np.float64)
    where = f"classifier {sound} ({source})"
    for value, name in ((1, "positive"), (0, "negative")):
        if (y == value).sum() < 2 or len(np.unique(groups[y == value])) < 2:
            raise ValueError(f"{where}: needs {name} examples from at least 2 recordings; has "
                             f"{int((y == value).sum())} from {len(np.unique(groups[y == value]))}")
    folds = min(5, len(np.unique(groups)))
    oof = np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(x, y, groups):
        if len(np.unique(y[train_idx])) < 2:
            raise ValueError(f"{where}: a fold holds one class only; add recordings of the rarer class")
        oof[test_idx] = _model(cfg.C, seed).fit(x[train_idx], y[train_idx]).predict_proba(x[test_idx])[:, 1]
    threshold, reached = threshold_for_precision(y, oof, target_precision)
    intervals = validation_intervals(y, oof, groups, threshold, seed)
    if intervals["near_chance"]:
        log.warning("%s: grouped validation ROC-AUC %.2f [%.2f, %.2f] is near or below chance (its interval "
                    "reaches 0.5): its threshold reaches no stated precision; add or review examples", where,
                    validation_scores(y, oof, threshold)["roc_auc"], intervals["roc_auc_low"],
                    intervals["roc_auc_high"])
        reached = False
    model = _model(cfg.C, seed).fit(x, y)
    scaler, logreg = model[0], model[1]
    return {"format": FORMAT, "sound": sound, "embedder": embedder, "weights_sha256": weights_sha256,
            "dim": int(x.shape[1]), "scaler_mean": scaler.mean_.tolist(), "scaler_scale": scaler.scale_.tolist(),
            "coef": logreg.coef_[0].tolist(), "intercept": float(logreg.intercept_[0]),
            "target_precision": target_precision, "threshold_target_precision": threshold,
            "target_reached": reached, "trained_on": source, "positives": int(y.sum()), "negatives": int((1 - y).sum()),
            "groups": int(len(np.unique(groups))),
            "validation": {"folds": folds, "grouping": "recording", **validation_scores(y, oof, threshold),
                           **intervals}}


def threshold_origin(threshold: float | None, classifier: dict) -> str:
    """Where a detection threshold came from, and what it can be trusted for."""
    if threshold is not None:
        return "deploy.detect.threshold"
    v = classifier["validation"]
    if v.get("near_chance"):
        return (f"grouped validation near or below chance (ROC-AUC {v['roc_auc']:.2f} [{v['roc_auc_low']:.2f}, "
                f"{v['roc_auc_high']:.2f}]): this threshold reaches no stated precision")
    reached = "reaches" if classifier["target_reached"] else "falls short of"
    return (f"grouped validation: {reached} precision {classifier['target_precision']} "
            f"(precision {v['precision']:.2f}, one-sided 95% lower bound {v['precision_low']:.2f})")


def check_compatible(classifier: dict, embedder: str, weights_sha256: str, where: str) -> None:
    """Refuse vectors of another embedder (name or weights) than the classifier was trained on."""
    if classifier.get("format") != FORMAT:
        raise ValueError(f"{where}: not a {FORMAT} file")
    if (classifier["embedder"], classifier["weights_sha256"]) != (embedder, weights_sha256):
        raise ValueError(f"{where}: classifier {classifier['sound']!r} was trained on {classifier['embedder']} "
                         f"vectors (weights sha256 {classifier['weights_sha256'][:12]}...), these windows are "
                         f"{embedder} (weights sha256 {weights_sha256[:12]}...): retrain it on this embedder")


def score(classifier: dict, table: pd.DataFrame) -> np.ndarray:
    """The classifier's probability of the sound for each row of an embeddings table."""
    x = (matrix(table, np.float64) - np.asarray(classifier["scaler_mean"])) / np.asarray(classifier["scaler_scale"])
    z = x @ np.asarray(classifier["coef"]) + classifier["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def events(scores: pd.DataFrame, threshold: float, merge_gap_s: float) -> pd.DataFrame:
    """Windows scoring at least ``threshold``, merged per recording into events when the gap
    between them is at most ``merge_gap_s``: source, site, offset_s, end_s, time, score (max), windows."""
    hits = scores[scores["score"] >= threshold].sort_values(["source", "offset_s"])
    out = []
    for source, rows in hits.groupby("source", sort=True):
        current = None
        for r in rows.itertuples():
            if current is not None and r.offset_s - current["end_s"] <= merge_gap_s:
                current["end_s"] = max(current["end_s"], r.end_s)
                current["score"] = max(current["score"], r.score)
                current["windows"] += 1
                continue
            if current is not None:
                out.append(current)
            current = dict(source=source, site=r.site, offset_s=r.offset_s, end_s=r.end_s, time=r.time,
                           score=r.score, windows=1)
        if current is not None:
            out.append(current)
    columns = ["source", "site", "offset_s", "end_s", "time", "score", "windows"]
    return pd.DataFrame(out, columns=columns)


def summaries(scores: pd.DataFrame, found: pd.DataFrame, hop_s: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per site x date x hour and per site x date: recorded minutes, events (by start time),
    events per recorded hour and the mean window score. Windows without a time are left out."""
    windows = scores.dropna(subset=["time"]).assign(date=lambda d: d["time"].dt.date.astype(str),
                                                    hour=lambda d: d["time"].dt.hour)
    ev = found.dropna(subset=["time"]).assign(date=lambda d: d["time"].dt.date.astype(str),
                                              hour=lambda d: d["time"].dt.hour)
    out = []
    for keys in (["site", "date", "hour"], ["site", "date"]):
        effort = windows.groupby(keys).agg(windows=("score", "size"), mean_score=("score", "mean"))
        effort["recorded_min"] = effort["windows"] * hop_s / 60
        counts = ev.groupby(keys).size().rename("events")
        table = effort.join(counts).fillna({"events": 0}).reset_index()
        table["events"] = table["events"].astype(int)
        table["events_per_hour"] = table["events"] / (table["recorded_min"] / 60)
        out.append(table[keys + ["recorded_min", "events", "events_per_hour", "mean_score", "windows"]])
    return out[0], out[1]


def truth_events(folder: Path, label_column: str, sources: list[str]) -> tuple[pd.DataFrame, set[str]]:
    """Known events of the deployment's recordings from Raven tables ``<stem>.*.txt``, and the
    recordings those tables cover (a table without rows: a recording with no event)."""
    from reefclr.data.raven import read_raven_table

    rows, covered = [], set()
    by_stem = {Path(s).stem: s for s in sources}
    for table in sorted(folder.glob("*.txt")):
        stem = table.name.split(".")[0]
        if stem in by_stem:
            rows.append(read_raven_table(table, label_column).assign(source=by_stem[stem]))
            covered.add(by_stem[stem])
    if not rows:
        raise ValueError(f"{folder}: no Raven table matches a recording of the deployment (<recording stem>.*.txt)")
    return pd.concat(rows, ignore_index=True)[["source", "begin_s", "end_s", "label"]], covered


def event_scores(found: pd.DataFrame, truth: pd.DataFrame, min_overlap_s: float, covered: set[str]) -> dict:
    """Event-level precision, recall and F1 over the ``covered`` recordings: a detection is
    right when it overlaps a known event of the same recording by more than ``min_overlap_s``;
    a known event is found when a detection overlaps it so."""
    found = found[found["source"].isin(covered)]
    right, hit = 0, set()
    for d in found.itertuples():
        mine = truth[truth["source"] == d.source]
        overlap = np.minimum(mine["end_s"], d.end_s) - np.maximum(mine["begin_s"], d.offset_s)
        matched = mine.index[overlap.to_numpy() > min_overlap_s]
        right += bool(len(matched))
        hit |= set(matched)
    precision = right / len(found) if len(found) else 0.0
    recall = len(hit) / len(truth) if len(truth) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(recordings=len(covered), detections=int(len(found)), true_detections=int(right),
                known_events=int(len(truth)),
                found_events=int(len(hit)), precision=precision, recall=recall, f1=f1,
                overlap_rule=f"a detection and a known event of the same recording overlap by more than "
                             f"{min_overlap_s} s")


def iou_matches(found: pd.DataFrame, truth: pd.DataFrame, min_iou: float) -> int:
    """One-to-one matches between the detections and the known events of one recording whose
    intersection over union is at least ``min_iou``: a maximum bipartite matching
    (Hopcroft-Karp), as the DCASE few-shot bioacoustic task scores events."""
    if found.empty or truth.empty:
        return 0
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    d0, d1 = found["offset_s"].to_numpy()[:, None], found["end_s"].to_numpy()[:, None]
    t0, t1 = truth["begin_s"].to_numpy()[None], truth["end_s"].to_numpy()[None]
    inter = np.clip(np.minimum(d1, t1) - np.maximum(d0, t0), 0, None)
    union = (d1 - d0) + (t1 - t0) - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    match = maximum_bipartite_matching(csr_matrix(iou >= min_iou), perm_type="column")
    return int((match >= 0).sum())


def per_recording(found: pd.DataFrame, truth: pd.DataFrame, covered: set[str], sites: dict[str, str],
                  min_iou: float) -> pd.DataFrame:
    """Per covered recording: its site, detections, known events and IoU matches."""
    rows = []
    for source in sorted(covered):
        mine, known = found[found["source"] == source], truth[truth["source"] == source]
        rows.append(dict(source=source, site=sites.get(source, ""), detections=len(mine), known=len(known),
                         matched=iou_matches(mine, known, min_iou)))
    return pd.DataFrame(rows, columns=["source", "site", "detections", "known", "matched"])


def _prf(counts: pd.DataFrame) -> tuple[float, float, float]:
    det, known, matched = (float(counts[c].sum()) for c in ("detections", "known", "matched"))
    p = matched / det if det else 0.0
    r = matched / known if known else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def iou_scores(recordings: pd.DataFrame, seed: int, level: float = 0.9) -> pd.DataFrame:
    """Precision, recall and F1 of the IoU matches, pooled over the recordings of each site and
    of all sites, each with a ``level`` interval over bootstrap resamples of recordings (NaN
    below 2 recordings); one row per recording beside them."""
    rows = []
    parts = [("all", "all", recordings)] + [("site", site, part) for site, part in recordings.groupby("site")]
    for level_name, name, part in parts:
        p, r, f1 = _prf(part)
        row = dict(level=level_name, name=name, recordings=len(part), detections=int(part["detections"].sum()),
                   known=int(part["known"].sum()), matched=int(part["matched"].sum()), precision=p, recall=r, f1=f1)
        bounds = np.full((2, 3), np.nan)
        if len(part) >= 2:
            draws = np.array([_prf(part.iloc[idx]) for idx in _resamples(part["source"].to_numpy(), seed)])
            bounds = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        for k, metric in enumerate(("precision", "recall", "f1")):
            row |= {f"{metric}_low": float(bounds[0, k]), f"{metric}_high": float(bounds[1, k])}
        rows.append(row)
    for _, r in recordings.iterrows():
        p, rec, f1 = _prf(r.to_frame().T)
        rows.append(dict(level="recording", name=r["source"], recordings=1, detections=r["detections"],
                         known=r["known"], matched=r["matched"], precision=p, recall=rec, f1=f1))
    return pd.DataFrame(rows, columns=EVENT_SCORE_COLUMNS)


EVENT_SCORE_COLUMNS = ["level", "name", "recordings", "detections", "known", "matched", "precision",
                       "precision_low", "precision_high", "recall", "recall_low", "recall_high", "f1", "f1_low",
                       "f1_high"]


def detection_history(scores: pd.DataFrame, found: pd.DataFrame, occasion: str, hop_s: float) -> pd.DataFrame:
    """Per site (rows) and occasion (a day, or an hour of a date): 1 detected, 0 recorded and
    not detected, NA not recorded, with the recorded minutes beside it, in the wide layout of
    R's unmarked (csvToUMF: site, y.1..y.J, then observation covariates effort.1..effort.J)
    and spOccupancy. ``history_occasions`` gives the labels of occasions 1..J."""
    windows = scores.dropna(subset=["time"])
    keys = _occasions(windows["time"], occasion)
    effort = windows.assign(occasion=keys).groupby(["site", "occasion"])["end_s"].size()
    hop_min = hop_s / 60
    ev = found.dropna(subset=["time"])
    detected = ev.assign(occasion=_occasions(ev["time"], occasion)).groupby(["site", "occasion"]).size()
    occasions = sorted(set(keys))
    sites = sorted(windows["site"].unique())
    out = pd.DataFrame({"site": sites})
    for j, occ in enumerate(occasions, 1):
        minutes = [float(effort.get((site, occ), 0)) * hop_min for site in sites]
        seen = [int(detected.get((site, occ), 0) > 0) for site in sites]
        out[f"y.{j}"] = [s if m > 0 else pd.NA for s, m in zip(seen, minutes)]
        out[f"effort.{j}"] = [m if m > 0 else pd.NA for m in minutes]
    y_cols = [c for c in out.columns if c.startswith("y.")]
    e_cols = [c for c in out.columns if c.startswith("effort.")]
    return out[["site"] + y_cols + e_cols]


def history_occasions(scores: pd.DataFrame, occasion: str) -> list[str]:
    """The labels of the occasions 1..J of ``detection_history``."""
    return sorted(set(_occasions(scores.dropna(subset=["time"])["time"], occasion)))


def _occasions(times: pd.Series, occasion: str) -> list[str]:
    if occasion == "day":
        return list(pd.to_datetime(times).dt.strftime("%Y-%m-%d"))
    if occasion == "hour":
        return list(pd.to_datetime(times).dt.strftime("%Y-%m-%dT%H"))
    raise ValueError(f"unknown deploy.detect.occasion {occasion!r}; known: day, hour")
