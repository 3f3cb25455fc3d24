"""Evaluation without recording leakage: distinct splits grouped by source recording (or
site, or a user's map), random-forest and logistic-regression probes, few-shot curves, and
intervals (``reefclr.stats``).

The study split clips at random, so clips of one recording could sit on both sides of the
split. Here every split puts whole groups (manifest ``group``) on one side; each row says
how its groups were made (``grouping``) and how many distinct splits stand behind it.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

log = logging.getLogger(__name__)

from reefclr.evaluation.splits import repeated_splits
from reefclr.settings import Evaluation, Logreg, RandomForest
from reefclr.evaluation.stats import bounded_interval, corrected_p_value, holm
from reefclr.core import vectors

COLUMNS = ["embedder", "dataset", "protocol", "metric", "repeat", "value", "grouping", "splits", "exhaustive"]
SURFPERCH_SHOTS = (4, 8, 16, 32)
SIZES = ("n_train", "n_test")


def classification_scores(y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None,
                          classes: np.ndarray) -> dict[str, float]:
    """Weighted F1 (the study's), macro-F1, balanced accuracy, ROC-AUC (one-vs-rest) and per-class F1."""
    out = {"test_f1": f1_score(y_true, y_pred, average="weighted", zero_division=0),
           "macro_f1": f1_score(y_true, y_pred, average="macro", labels=classes, zero_division=0),
           "balanced_accuracy": balanced_accuracy_score(y_true, y_pred)}
    if proba is not None:
        if len(classes) == 2:
            out["roc_auc"] = roc_auc_score(y_true == classes[1], proba[:, 1])
        else:
            out["roc_auc"] = roc_auc_score(y_true, proba, multi_class="ovr", labels=classes)
    per_class = f1_score(y_true, y_pred, average=None, labels=classes, zero_division=0)
    return out | {f"f1[{c}]": float(v) for c, v in zip(classes, per_class)}


def make_probe(name: str, cfg: RandomForest | Logreg, seed: int):
    if name == "rf":
        return RandomForestClassifier(n_estimators=cfg.n_estimators, random_state=seed)
    if name == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(C=cfg.C, max_iter=cfg.max_iter))
    raise ValueError(f"unknown probe {name!r}; known: rf, logreg")


def probe_scores(x: np.ndarray, labels: np.ndarray, splits, probe: str, cfg: RandomForest | Logreg,
                 seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Scores of ``probe`` on every split (long rows: metric, repeat, value) and the
    confusion matrix summed over repeats (rows: true class, columns: predicted)."""
    classes = np.unique(labels)
    rows, confusion = [], np.zeros((len(classes), len(classes)), dtype=np.int64)
    for r, (train, test) in enumerate(splits):
        model = make_probe(probe, cfg, seed).fit(x[train], labels[train])
        pred = model.predict(x[test])
        scores = classification_scores(labels[test], pred, model.predict_proba(x[test]), classes)
        rows += [dict(metric=m, repeat=r, value=float(v)) for m, v in scores.items()]
        rows += [dict(metric="n_train", repeat=r, value=float(len(train))),
                 dict(metric="n_test", repeat=r, value=float(len(test)))]
        confusion += confusion_matrix(labels[test], pred, labels=classes)
    return pd.DataFrame(rows), confusion


def run_probe(table: pd.DataFrame, probe: str, evaluation: Evaluation, embedder: str, grouping: str = "recording"
              ) -> tuple[pd.DataFrame, dict | None]:
    """One embedder x test set: long rows (``COLUMNS``) of ``probe`` (rf, logreg or fewshot)
    on the grouped splits, and its confusion matrix summed over splits (``{"classes",
    "matrix"}``, rows true, columns predicted; none for fewshot). ``grouping`` names how the
    manifest's groups were made (``reefclr.grouping``)."""
    x, labels = vectors.matrix(table), table["label"].to_numpy().astype(str)
    g = evaluation.grouped
    split_set = repeated_splits(labels, table["group"].to_numpy().astype(str), g.repeats, g.test_fraction, g.seed)
    if split_set.distinct < g.repeats:
        log.warning("%d distinct grouped splits (of %d repeats asked)%s", split_set.distinct, g.repeats,
                    ": every valid split used once" if split_set.exhaustive else "")
    confusion = None
    if probe == "fewshot":
        rows = few_shot(x, labels, split_set.splits, list(evaluation.fewshot.shots), evaluation.logreg, g.seed)
        sizes = [dict(protocol="fewshot", metric=m, repeat=r, value=float(len(side)))
                 for r, split in enumerate(split_set.splits) for m, side in zip(SIZES, split)]
        rows = pd.concat([rows, pd.DataFrame(sizes)], ignore_index=True)
    else:
        rows, matrix = probe_scores(x, labels, split_set.splits, probe, getattr(evaluation, probe), g.seed)
        rows.insert(0, "protocol", f"{probe}_grouped")
        confusion = {"classes": np.unique(labels).tolist(), "matrix": matrix.tolist()}
    rows.insert(0, "dataset", table["dataset"].iloc[0])
    rows.insert(0, "embedder", embedder)
    rows["grouping"] = grouping
    rows["splits"] = split_set.distinct
    rows["exhaustive"] = split_set.exhaustive
    return rows[COLUMNS], confusion


def few_shot(x: np.ndarray, labels: np.ndarray, splits, shots: list[int], cfg: Logreg, seed: int) -> pd.DataFrame:
    """Logistic regression on k labelled clips per class from each split's training side,
    scored on its test side (macro-F1 and one-vs-rest macro ROC-AUC, one draw per split).
    Every k is scored on the same splits: a k above some split's smallest class is left out."""
    classes = np.unique(labels)
    smallest = min(min(int((labels[train] == c).sum()) for c in classes) for train, _ in splits)
    usable = [k for k in shots if k <= smallest]
    if len(usable) < len(shots):
        log.warning("few-shot: k=%s left out (a split has only %d training clips of some class)",
                    sorted(set(shots) - set(usable)), smallest)
    rows = []
    for r, (train, test) in enumerate(splits):
        rng = np.random.default_rng([seed, r, 1])
        pools = [train[labels[train] == c] for c in classes]
        for k in usable:
            chosen = np.concatenate([rng.choice(p, size=k, replace=False) for p in pools])
            model = make_probe("logreg", cfg, seed).fit(x[chosen], labels[chosen])
            scores = classification_scores(labels[test], model.predict(x[test]), model.predict_proba(x[test]),
                                           classes)
            rows += [dict(protocol=f"fewshot_k{k}", metric=m, repeat=r, value=float(scores[m]))
                     for m in ("macro_f1", "roc_auc")]
    return pd.DataFrame(rows, columns=["protocol", "metric", "repeat", "value"])


def split_ratios(long: pd.DataFrame) -> dict[str, float]:
    """Dataset -> mean test size / mean training size of its grouped splits."""
    sizes = long[long["metric"].isin(SIZES)].groupby(["dataset", "metric"])["value"].mean().unstack()
    return (sizes["n_test"] / sizes["n_train"]).to_dict()


def _split_facts(part: pd.DataFrame) -> dict:
    first = part.iloc[0]
    return dict(grouping=first["grouping"], splits=int(first["splits"]), exhaustive=bool(first["exhaustive"]))


def summarise(long: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval (corrected t, intersected with [0, 1]) of every (embedder,
    dataset, protocol, metric), with the grouping and the distinct splits behind it."""
    ratios = split_ratios(long)
    rows = []
    scores = long[~long["metric"].isin(SIZES)]
    for key, part in scores.groupby(["embedder", "dataset", "protocol", "metric"], sort=True):
        mean, low, high = bounded_interval(part["value"].to_numpy(), ratios[key[1]])
        rows.append(dict(zip(["embedder", "dataset", "protocol", "metric"], key), mean=mean, ci_low=low,
                         ci_high=high, repeats=len(part)) | _split_facts(part))
    return pd.DataFrame(rows)


PAIRED_COLUMNS = ["dataset", "protocol", "metric", "embedder_a", "embedder_b", "mean_diff", "ci_low", "ci_high",
                  "repeats", "p_value", "distinguishable", "grouping", "splits", "exhaustive", "p_holm",
                  "distinguishable_holm"]


def paired_differences(long: pd.DataFrame, metric: str = "macro_f1", alpha: float = 0.05) -> pd.DataFrame:
    """Per dataset and protocol, every pair of embedders: mean difference (first minus second)
    of ``metric`` over the same splits, its interval (inside [-1, 1]), the corrected t test's
    p-value, and the same Holm-adjusted over every pair and dataset of one protocol."""
    ratios = split_ratios(long)
    rows = []
    part = long[long["metric"] == metric]
    for (dataset, protocol), block in part.groupby(["dataset", "protocol"], sort=True):
        wide = block.pivot_table(index="repeat", columns="embedder", values="value")
        names = list(wide.columns)
        ratio = ratios[dataset]
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                diff = (wide[a] - wide[b]).dropna().to_numpy()
                mean, low, high = bounded_interval(diff, ratio, bounds=(-1.0, 1.0))
                rows.append(dict(dataset=dataset, protocol=protocol, metric=metric, embedder_a=a, embedder_b=b,
                                 mean_diff=mean, ci_low=low, ci_high=high, repeats=len(diff),
                                 p_value=corrected_p_value(diff, ratio),
                                 distinguishable=bool(np.isfinite(low) and (low > 0 or high < 0)))
                            | _split_facts(block))
    out = pd.DataFrame(rows)
    if out.empty:  # one embedder: nothing to pair, but a table with its columns
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    out["p_holm"] = np.nan
    for _, idx in out.groupby("protocol").groups.items():
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_value"].to_numpy())
    out["distinguishable_holm"] = out["p_holm"] < alpha
    return out


def surfperch_table(summary: pd.DataFrame, shots=SURFPERCH_SHOTS) -> pd.DataFrame:
    """SurfPerch's few-shot summary, as its paper tabulates it: one-vs-rest macro ROC-AUC of a
    linear probe at 4, 8, 16 and 32 examples per class, mean over splits and over the shot
    counts; one row per embedder, one column per test set, and their mean. ``shots_used``
    lists the shot counts each test set could afford."""
    wanted = {f"fewshot_k{k}": k for k in shots}
    part = summary[(summary["metric"] == "roc_auc") & summary["protocol"].isin(wanted)]
    if part.empty:
        return pd.DataFrame(columns=["embedder", "mean"])
    per_set = part.groupby(["embedder", "dataset"])["mean"].mean().unstack("dataset")
    table = per_set.copy()
    table["mean"] = per_set.mean(axis=1)
    used = part.groupby("dataset")["protocol"].apply(lambda p: " ".join(str(wanted[x]) for x in sorted(
        set(p), key=wanted.get)))
    table = table.reset_index()
    note = {"embedder": "shots_used"} | {d: used.get(d, "") for d in per_set.columns} | {"mean": ""}
    return pd.concat([table, pd.DataFrame([note])], ignore_index=True)
