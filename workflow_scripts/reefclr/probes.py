"""Evaluation without recording leakage: repeated stratified splits grouped by source
recording, random-forest and logistic-regression probes, few-shot curves, and intervals.

The study split clips at random, so clips of one recording could sit on both sides of the
split. Here every repeat puts whole recordings (manifest ``group``) on one side. Repeats
share clips, so their scores are correlated: intervals use Nadeau & Bengio's corrected
resampled t (Machine Learning 52, 2003), variance x (1/J + n_test/n_train).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

log = logging.getLogger(__name__)

COLUMNS = ["embedder", "dataset", "protocol", "metric", "repeat", "value"]


def grouped_split(labels: np.ndarray, groups: np.ndarray, test_fraction: float, rng: np.random.Generator,
                  tries: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) positions: whole groups to the test side, in random order, while a class
    they hold is still below ``test_fraction`` of its clips there; every class on both sides."""
    classes, y = np.unique(labels, return_inverse=True)
    group_ids, g = np.unique(groups, return_inverse=True)
    per_group = np.zeros((len(group_ids), len(classes)), dtype=np.int64)
    np.add.at(per_group, (g, y), 1)
    target = test_fraction * per_group.sum(0)
    for _ in range(tries):
        in_test = np.zeros(len(group_ids), dtype=bool)
        have = np.zeros(len(classes))
        for k in rng.permutation(len(group_ids)):
            if (per_group[k] > 0)[have < target].any():
                in_test[k] = True
                have += per_group[k]
            if (have >= target).all():
                break
        test_counts, train_counts = per_group[in_test].sum(0), per_group[~in_test].sum(0)
        if (test_counts > 0).all() and (train_counts > 0).all():
            return np.flatnonzero(~in_test[g]), np.flatnonzero(in_test[g])
    lonely = [str(c) for c, n in zip(classes, (per_group > 0).sum(0)) if n < 2]
    raise ValueError(f"no grouped split puts every class on both sides; classes found in a single recording: "
                     f"{lonely or 'none (try a larger test fraction)'}")


def repeated_splits(labels: np.ndarray, groups: np.ndarray, repeats: int, test_fraction: float,
                    seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``repeats`` grouped splits; repeat r is seeded by (seed, r), the same for every embedder."""
    return [grouped_split(labels, groups, test_fraction, np.random.default_rng([seed, r])) for r in range(repeats)]


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


def make_probe(name: str, cfg: dict, seed: int):
    if name == "rf":
        return RandomForestClassifier(n_estimators=cfg["n_estimators"], random_state=seed)
    if name == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(C=cfg["C"], max_iter=cfg["max_iter"]))
    raise ValueError(f"unknown probe {name!r}; known: rf, logreg")


def probe_scores(x: np.ndarray, labels: np.ndarray, splits, probe: str, cfg: dict,
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


def run_probe(table: pd.DataFrame, probe: str, cfg: dict) -> tuple[pd.DataFrame, dict | None]:
    """One embedder x test set: long rows (embedder, dataset, protocol, metric, repeat, value)
    of ``probe`` (rf, logreg or fewshot) on the grouped splits, and its confusion matrix summed
    over repeats (``{"classes", "matrix"}``, rows true, columns predicted; none for fewshot)."""
    from .evaluate import embedding_matrix

    x, labels = embedding_matrix(table), table["label"].to_numpy().astype(str)
    g = cfg["grouped"]
    splits = repeated_splits(labels, table["group"].to_numpy().astype(str), g["repeats"], g["test_fraction"],
                             g["seed"])
    confusion = None
    if probe == "fewshot":
        rows = few_shot(x, labels, splits, cfg["fewshot"]["shots"], cfg["logreg"], g["seed"])
    else:
        rows, matrix = probe_scores(x, labels, splits, probe, cfg[probe], g["seed"])
        rows.insert(0, "protocol", f"{probe}_grouped")
        confusion = {"classes": np.unique(labels).tolist(), "matrix": matrix.tolist()}
    rows.insert(0, "dataset", table["dataset"].iloc[0])
    rows.insert(0, "embedder", cfg["embedder"])
    return rows[COLUMNS], confusion


def few_shot(x: np.ndarray, labels: np.ndarray, splits, shots: list[int], cfg: dict, seed: int) -> pd.DataFrame:
    """Logistic regression on k labelled clips per class from each split's training side,
    scored on its test side (one draw per repeat); a k above a class's training clips is left out."""
    classes = np.unique(labels)
    rows = []
    for r, (train, test) in enumerate(splits):
        rng = np.random.default_rng([seed, r, 1])
        for k in shots:
            pools = [train[labels[train] == c] for c in classes]
            if min(len(p) for p in pools) < k:
                continue
            chosen = np.concatenate([rng.choice(p, size=k, replace=False) for p in pools])
            model = make_probe("logreg", cfg, seed).fit(x[chosen], labels[chosen])
            pred = model.predict(x[test])
            rows.append(dict(protocol=f"fewshot_k{k}", metric="macro_f1", repeat=r,
                             value=float(f1_score(labels[test], pred, average="macro", labels=classes,
                                                  zero_division=0))))
    return pd.DataFrame(rows, columns=["protocol", "metric", "repeat", "value"])


def corrected_interval(values: np.ndarray, test_train_ratio: float,
                       level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): Nadeau-Bengio corrected resampled t interval of repeated-split scores."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    j = len(values)
    mean = float(values.mean()) if j else float("nan")
    if j < 2:
        return mean, float("nan"), float("nan")
    var = values.var(ddof=1) * (1 / j + test_train_ratio)
    half = stats.t.ppf(0.5 + level / 2, j - 1) * np.sqrt(var)
    return mean, mean - half, mean + half


SIZES = ("n_train", "n_test")


def split_ratios(long: pd.DataFrame) -> dict[str, float]:
    """Dataset -> mean test size / mean training size of its grouped splits."""
    sizes = long[long["metric"].isin(SIZES)].groupby(["dataset", "metric"])["value"].mean().unstack()
    return (sizes["n_test"] / sizes["n_train"]).to_dict()


def summarise(long: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% corrected interval of every (embedder, dataset, protocol, metric)."""
    ratios = split_ratios(long)
    rows = []
    scores = long[~long["metric"].isin(SIZES)]
    for key, part in scores.groupby(["embedder", "dataset", "protocol", "metric"], sort=True):
        mean, low, high = corrected_interval(part["value"].to_numpy(), ratios[key[1]])
        rows.append(dict(zip(["embedder", "dataset", "protocol", "metric"], key), mean=mean, ci_low=low,
                         ci_high=high, repeats=len(part)))
    return pd.DataFrame(rows)


def paired_differences(long: pd.DataFrame, metric: str = "macro_f1") -> pd.DataFrame:
    """Per dataset and protocol, every pair of embedders: mean difference (first minus second)
    of ``metric`` over the same splits, its corrected interval, and whether it excludes zero."""
    ratios = split_ratios(long)
    rows = []
    part = long[long["metric"] == metric]
    for (dataset, protocol), block in part.groupby(["dataset", "protocol"], sort=True):
        wide = block.pivot_table(index="repeat", columns="embedder", values="value")
        names = list(wide.columns)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                diff = (wide[a] - wide[b]).dropna().to_numpy()
                mean, low, high = corrected_interval(diff, ratios[dataset])
                rows.append(dict(dataset=dataset, protocol=protocol, metric=metric, embedder_a=a, embedder_b=b,
                                 mean_diff=mean, ci_low=low, ci_high=high, repeats=len(diff),
                                 distinguishable=bool(np.isfinite(low) and (low > 0 or high < 0))))
    return pd.DataFrame(rows)
