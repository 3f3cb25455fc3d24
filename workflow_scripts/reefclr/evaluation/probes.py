"""Evaluation without recording leakage: distinct splits grouped by source recording (or
site, or a user's map), random-forest and logistic-regression probes, few-shot curves, and
intervals (``reefclr.evaluation.stats``).

The study split clips at random, so clips of one recording could sit on both sides of the
split. Here every split puts whole groups (manifest ``group``) on one side; each row says
how its groups were made (``grouping``) and how many distinct splits stand behind it. Beside
the per-split scores, a probe's rows hold the leave-one-group-out scores of its pooled
held-out predictions (metric ``loo:<name>``, repeat = group) and its group counts, from
which the intervals take the variance over the sample of groups.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

log = logging.getLogger(__name__)

from reefclr.core import vectors
from reefclr.evaluation import jackknife
from reefclr.evaluation.jackknife import LOO
from reefclr.evaluation.splits import repeated_splits
from reefclr.evaluation.stats import holm, interval, p_value
from reefclr.settings import Evaluation, Logreg, RandomForest

COLUMNS = ["embedder", "dataset", "protocol", "metric", "repeat", "value", "grouping", "splits", "exhaustive"]
SURFPERCH_SHOTS = (4, 8, 16, 32)
SIZES = ("n_train", "n_test")
FACTS = SIZES + ("groups", "class_groups")  # rows that are counts, not scores
MIN_CLASS_GROUPS = 3  # below this many groups in some class, an interval is marked unreliable (docs/statistics.md)


def classification_scores(y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None,
                          classes: np.ndarray) -> dict[str, float]:
    """Weighted F1 (the study's), macro-F1, balanced accuracy, ROC-AUC (one-vs-rest) and per-class F1."""
    codes = {c: i for i, c in enumerate(classes)}
    true = np.array([codes[c] for c in y_true])
    pred = np.array([codes[c] for c in y_pred])
    matrix = jackknife.group_counts(true, pred, np.zeros(len(true), dtype=np.int64), 1, len(classes))[0]
    out = jackknife.confusion_scores(matrix, classes)
    if proba is not None:
        if len(classes) == 2:
            out["roc_auc"] = roc_auc_score(y_true == classes[1], proba[:, 1])
        else:
            out["roc_auc"] = roc_auc_score(y_true, proba, multi_class="ovr", labels=classes)
    return {k: out[k] for k in ("test_f1", "macro_f1", "balanced_accuracy", "roc_auc") if k in out} | {
        k: v for k, v in out.items() if k.startswith("f1[")}


class Pool:
    """Held-out predictions pooled over splits, by group: their leave-one-group-out scores."""

    def __init__(self, labels: np.ndarray, groups: np.ndarray):
        self.classes, self.true = np.unique(labels, return_inverse=True)
        self.names, self.group = np.unique(groups, return_inverse=True)
        self.counts = np.zeros((len(self.names), len(self.classes), len(self.classes)), dtype=np.int64)

    def add(self, test: np.ndarray, predicted: np.ndarray) -> None:
        pred = np.searchsorted(self.classes, predicted)
        self.counts += jackknife.group_counts(self.true[test], pred, self.group[test], len(self.names),
                                              len(self.classes))

    def rows(self, protocol: str | None = None, metrics=jackknife.POOLED) -> list[dict]:
        """Long rows: ``loo:<metric>`` per group left out (repeat = group), groups, class_groups."""
        out = [dict(metric=f"{LOO}{m}", repeat=g, value=scores[m])
               for g, scores in enumerate(jackknife.leave_one_out(self.counts, self.classes)) for m in metrics]
        per_class = [len(np.unique(self.group[self.true == k])) for k in range(len(self.classes))]
        out += [dict(metric="groups", repeat=0, value=float(len(self.names))),
                dict(metric="class_groups", repeat=0, value=float(min(per_class)))]
        return [r | {"protocol": protocol} for r in out] if protocol else out


@dataclass(frozen=True, eq=False)
class Clips:
    """One test set's clips as a probe reads them: embeddings (n, d), labels and groups (n,)."""

    x: np.ndarray
    labels: np.ndarray
    groups: np.ndarray


def make_probe(name: str, cfg: RandomForest | Logreg, seed: int):
    if name == "rf":
        return RandomForestClassifier(n_estimators=cfg.n_estimators, random_state=seed)
    if name == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(C=cfg.C, max_iter=cfg.max_iter))
    raise ValueError(f"unknown probe {name!r}; known: rf, logreg")


def probe_scores(clips: Clips, splits, probe: str, cfg: RandomForest | Logreg, seed: int
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """Scores of ``probe`` on every split (long rows: metric, repeat, value), the
    leave-one-group-out rows of its pooled predictions, and the confusion matrix summed over
    repeats (rows: true class, columns: predicted)."""
    x, labels = clips.x, clips.labels
    pool = Pool(labels, clips.groups)
    rows = []
    for r, (train, test) in enumerate(splits):
        model = make_probe(probe, cfg, seed).fit(x[train], labels[train])
        pred = model.predict(x[test])
        scores = classification_scores(labels[test], pred, model.predict_proba(x[test]), pool.classes)
        rows += [dict(metric=m, repeat=r, value=float(v)) for m, v in scores.items()]
        rows += [dict(metric="n_train", repeat=r, value=float(len(train))),
                 dict(metric="n_test", repeat=r, value=float(len(test)))]
        pool.add(test, pred)
    metrics = list(jackknife.POOLED) + [f"f1[{c}]" for c in pool.classes]
    return pd.DataFrame(rows + pool.rows(metrics=metrics)), pool.counts.sum(0)


def run_probe(table: pd.DataFrame, probe: str, evaluation: Evaluation, embedder: str, grouping: str = "recording"
              ) -> tuple[pd.DataFrame, dict | None]:
    """One embedder x test set: long rows (``COLUMNS``) of ``probe`` (rf, logreg or fewshot)
    on the grouped splits, and its confusion matrix summed over splits (``{"classes",
    "matrix"}``, rows true, columns predicted; none for fewshot). ``grouping`` names how the
    manifest's groups were made (``reefclr.grouping``)."""
    clips = Clips(vectors.matrix(table), table["label"].to_numpy().astype(str), table["group"].to_numpy().astype(str))
    g = evaluation.grouped
    split_set = repeated_splits(clips.labels, clips.groups, g.repeats, g.test_fraction, g.seed)
    if split_set.distinct < g.repeats:
        log.warning("%d distinct grouped splits (of %d repeats asked)%s", split_set.distinct, g.repeats,
                    ": every valid split used once" if split_set.exhaustive else "")
    confusion = None
    if probe == "fewshot":
        rows = few_shot(clips, split_set.splits, list(evaluation.fewshot.shots), evaluation.logreg, g.seed)
        sizes = [dict(protocol="fewshot", metric=m, repeat=r, value=float(len(side)))
                 for r, split in enumerate(split_set.splits) for m, side in zip(SIZES, split)]
        rows = pd.concat([rows, pd.DataFrame(sizes)], ignore_index=True)
    else:
        rows, matrix = probe_scores(clips, split_set.splits, probe, getattr(evaluation, probe), g.seed)
        rows.insert(0, "protocol", f"{probe}_grouped")
        confusion = {"classes": np.unique(clips.labels).tolist(), "matrix": matrix.tolist()}
    rows.insert(0, "dataset", table["dataset"].iloc[0])
    rows.insert(0, "embedder", embedder)
    rows["grouping"] = grouping
    rows["splits"] = split_set.distinct
    rows["exhaustive"] = split_set.exhaustive
    return rows[COLUMNS], confusion


def few_shot(clips: Clips, splits, shots: list[int], cfg: Logreg, seed: int) -> pd.DataFrame:
    """Logistic regression on k labelled clips per class from each split's training side,
    scored on its test side (macro-F1 and one-vs-rest macro ROC-AUC, one draw per split), and
    the leave-one-group-out macro-F1 of each k's pooled predictions. Every k is scored on the
    same splits: a k above some split's smallest class is left out."""
    x, labels = clips.x, clips.labels
    classes = np.unique(labels)
    smallest = min(min(int((labels[train] == c).sum()) for c in classes) for train, _ in splits)
    usable = [k for k in shots if k <= smallest]
    if len(usable) < len(shots):
        log.warning("few-shot: k=%s left out (a split has only %d training clips of some class)",
                    sorted(set(shots) - set(usable)), smallest)
    rows, pools = [], {k: Pool(labels, clips.groups) for k in usable}
    for r, (train, test) in enumerate(splits):
        rng = np.random.default_rng([seed, r, 1])
        pools_by_class = [train[labels[train] == c] for c in classes]
        for k in usable:
            chosen = np.concatenate([rng.choice(p, size=k, replace=False) for p in pools_by_class])
            model = make_probe("logreg", cfg, seed).fit(x[chosen], labels[chosen])
            pred = model.predict(x[test])
            scores = classification_scores(labels[test], pred, model.predict_proba(x[test]), classes)
            rows += [dict(protocol=f"fewshot_k{k}", metric=m, repeat=r, value=float(scores[m]))
                     for m in ("macro_f1", "roc_auc")]
            pools[k].add(test, pred)
    for k, pool in pools.items():
        rows += pool.rows(f"fewshot_k{k}", metrics=("macro_f1",))
    return pd.DataFrame(rows, columns=["protocol", "metric", "repeat", "value"])


def split_ratios(long: pd.DataFrame) -> dict[str, float]:
    """Dataset -> mean test size / mean training size of its grouped splits."""
    sizes = long[long["metric"].isin(SIZES)].groupby(["dataset", "metric"])["value"].mean().unstack()
    return (sizes["n_test"] / sizes["n_train"]).to_dict()


def _split_facts(part: pd.DataFrame) -> dict:
    first = part.iloc[0]
    return dict(grouping=first["grouping"], splits=int(first["splits"]), exhaustive=bool(first["exhaustive"]))


KEY = ["embedder", "dataset", "protocol", "metric"]


class Grouped:
    """A probe table's parts: per-split scores, leave-one-group-out scores, group counts."""

    def __init__(self, long: pd.DataFrame):
        self.ratios = split_ratios(long)
        loo = long["metric"].str.startswith(LOO)
        self.scores = long[~loo & ~long["metric"].isin(FACTS)]
        left_out = long[loo].assign(metric=long.loc[loo, "metric"].str.removeprefix(LOO))
        self.loo = {key: part.set_index("repeat")["value"] for key, part in left_out.groupby(KEY, sort=False)}
        facts = long[long["metric"].isin(("groups", "class_groups"))]
        self.facts = facts.groupby(KEY[:3] + ["metric"])["value"].first().to_dict()

    def groups(self, key: tuple) -> tuple[int | None, int | None]:
        """(groups, groups of the class in the fewest) of (embedder, dataset, protocol)."""
        found = [self.facts.get(tuple(key[:3]) + (m,)) for m in ("groups", "class_groups")]
        return tuple(None if v is None else int(v) for v in found)


def _verdict(low: float, class_groups: int | None, has_jackknife: bool) -> dict:
    reliable = bool(has_jackknife and class_groups is not None and class_groups >= MIN_CLASS_GROUPS
                    and np.isfinite(low))
    method = "corrected t + group jackknife" if has_jackknife else "corrected t (coverage not measured)"
    return dict(method=method, reliable=reliable)


def summarise(long: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval of every (embedder, dataset, protocol, metric): the corrected
    split variance plus the group jackknife's (``reefclr.evaluation.stats``), inside [0, 1];
    with the grouping, the distinct splits and groups behind it, and whether it is reliable
    (a jackknife, every class in at least ``MIN_CLASS_GROUPS`` groups, a non-zero variance)."""
    parts = Grouped(long)
    rows = []
    for key, part in parts.scores.groupby(KEY, sort=True):
        groups, class_groups = parts.groups(key)
        loo = parts.loo.get(key)
        jk = jackknife.variance(loo) if loo is not None else float("nan")
        mean, low, high = interval(part["value"].to_numpy(), parts.ratios[key[1]], jk, groups)
        rows.append(dict(zip(KEY, key), mean=mean, ci_low=low, ci_high=high, repeats=len(part))
                    | _split_facts(part) | dict(groups=groups, class_groups=class_groups)
                    | _verdict(low, class_groups, loo is not None))
    return pd.DataFrame(rows)


PAIRED_COLUMNS = ["dataset", "protocol", "metric", "embedder_a", "embedder_b", "mean_diff", "ci_low", "ci_high",
                  "repeats", "p_value", "distinguishable", "grouping", "splits", "exhaustive", "groups",
                  "class_groups", "method", "reliable", "p_holm", "distinguishable_holm"]


def paired_differences(long: pd.DataFrame, metric: str = "macro_f1", alpha: float = 0.05) -> pd.DataFrame:
    """Per dataset and protocol, every pair of embedders: mean difference (first minus second)
    of ``metric`` over the same splits, its interval (inside [-1, 1]) and t test on the
    corrected split variance plus the group jackknife of the difference, and the p-value
    Holm-adjusted over every pair and dataset of one protocol."""
    parts = Grouped(long)
    rows = []
    part = parts.scores[parts.scores["metric"] == metric]
    for (dataset, protocol), block in part.groupby(["dataset", "protocol"], sort=True):
        wide = block.pivot_table(index="repeat", columns="embedder", values="value")
        names = list(wide.columns)
        ratio = parts.ratios[dataset]
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                diff = (wide[a] - wide[b]).dropna().to_numpy()
                loo_a, loo_b = (parts.loo.get((e, dataset, protocol, metric)) for e in (a, b))
                has_jk = loo_a is not None and loo_b is not None
                jk = jackknife.variance((loo_a - loo_b).dropna()) if has_jk else float("nan")
                groups, class_groups = parts.groups((a, dataset, protocol))
                mean, low, high = interval(diff, ratio, jk, groups, bounds=(-1.0, 1.0))
                rows.append(dict(dataset=dataset, protocol=protocol, metric=metric, embedder_a=a, embedder_b=b,
                                 mean_diff=mean, ci_low=low, ci_high=high, repeats=len(diff),
                                 p_value=p_value(diff, ratio, jk, groups),
                                 distinguishable=bool(np.isfinite(low) and (low > 0 or high < 0)))
                            | _split_facts(block) | dict(groups=groups, class_groups=class_groups)
                            | _verdict(low, class_groups, has_jk))
    out = pd.DataFrame(rows)
    if out.empty:  # one embedder: nothing to pair, but a table with its columns
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    out["p_holm"] = np.nan
    for _, idx in out.groupby("protocol").groups.items():
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_value"].to_numpy())
    out["distinguishable_holm"] = out["p_holm"] < alpha
    return out[PAIRED_COLUMNS]


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
