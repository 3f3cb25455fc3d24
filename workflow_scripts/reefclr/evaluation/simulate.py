"""Coverage of the grouped intervals, measured by simulation over the workflow's own code.

A simulated test set: ``recordings`` recordings per class, each of 5-15 clips, each clip
an embedding = class mean + recording effect + clip noise (a random-effects model: clips
of one recording share their recording's offset, as real clips share a site, a day and a
hydrophone). Two embedders see the same recordings through independent draws of the same
process, so they are equally good. The grouped protocol runs as the workflow runs it
(``probes.run_probe``, ``summarise``, ``paired_differences``), and each interval is compared
with the truth: the mean, over the same splits, of the macro-F1 that each split's model
scores on ``truth_recordings`` new recordings per class from the same process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from reefclr.evaluation import probes
from reefclr.evaluation.splits import repeated_splits
from reefclr.evaluation.stats import interval, p_value
from reefclr.settings import Evaluation

METRIC = "macro_f1"
PROTOCOL = "logreg_grouped"


@dataclass(frozen=True)
class Design:
    """One simulated design (sizes in clips; effects in units of the clip noise's sd)."""

    recordings: int = 6  # per class
    classes: int = 2
    clips: tuple[int, int] = (5, 15)  # clips per recording, uniform, inclusive
    dim: int = 8
    separation: float = 1.6  # distance between class means
    recording_sd: float = 0.8  # sd of a recording's offset, per dimension
    truth_recordings: int = 100  # per class, for the truth


def class_means(design: Design) -> np.ndarray:
    """Fixed class means, ``separation`` apart pairwise (scaled simplex corners)."""
    corners = np.eye(design.classes, design.dim)
    return corners * design.separation / np.sqrt(2)


def draw(design: Design, rng: np.random.Generator, recordings: int, embedders=("a", "b"),
         prefix: str = "r") -> dict[str, pd.DataFrame]:
    """Embedding tables (the workflow's columns) of the same recordings by each embedder."""
    means = class_means(design)
    labels = np.repeat(np.arange(design.classes), recordings)
    sizes = rng.integers(design.clips[0], design.clips[1] + 1, len(labels))
    clip_label = np.repeat(labels, sizes)
    group = np.repeat([f"{prefix}{i}" for i in range(len(labels))], sizes)
    out = {}
    for name in embedders:
        offsets = rng.normal(0.0, design.recording_sd, (len(labels), design.dim))
        x = means[clip_label] + np.repeat(offsets, sizes, axis=0) + rng.standard_normal((len(clip_label), design.dim))
        table = pd.DataFrame(x.astype(np.float32), columns=[f"e{i:04d}" for i in range(design.dim)])
        table.insert(0, "group", group)
        table.insert(0, "label", [f"class{k}" for k in clip_label])
        table.insert(0, "dataset", "test_sim")
        out[name] = table
    return out


def _truth(train: pd.DataFrame, test: pd.DataFrame, split_set, evaluation: Evaluation) -> float:
    """Mean over the splits of the macro-F1 each split's model scores on the new recordings."""
    x, y = train.filter(regex=r"^e\d+$").to_numpy(), train["label"].to_numpy()
    x_new, y_new = test.filter(regex=r"^e\d+$").to_numpy(), test["label"].to_numpy()
    classes = np.unique(y)
    scores = []
    for tr, _ in split_set.splits:
        model = probes.make_probe("logreg", evaluation.logreg, evaluation.grouped.seed).fit(x[tr], y[tr])
        scores.append(probes.classification_scores(y_new, model.predict(x_new), None, classes)[METRIC])
    return float(np.mean(scores))


def _group_ratio(table: pd.DataFrame, split_set) -> float:
    """Mean test groups / mean training groups of the splits (the alternative ratio)."""
    g = table["group"].to_numpy()
    test = np.mean([len(np.unique(g[te])) for _, te in split_set.splits])
    train = np.mean([len(np.unique(g[tr])) for tr, _ in split_set.splits])
    return float(test / train)


def one_set(design: Design, evaluation: Evaluation, seed: int) -> dict:
    """One simulated test set through the grouped protocol: for each method, whether its
    95% interval of embedder a's macro-F1 covers the truth and how wide it is, and the
    p-value of the paired difference a - b (equally good embedders)."""
    rng = np.random.default_rng(seed)
    tables = draw(design, rng, design.recordings)
    new = draw(design, rng, design.truth_recordings, embedders=("a",), prefix="new")["a"]
    long = pd.concat([probes.run_probe(t, "logreg", evaluation, name)[0] for name, t in tables.items()],
                     ignore_index=True)
    g = evaluation.grouped
    split_set = repeated_splits(tables["a"]["label"].to_numpy(), tables["a"]["group"].to_numpy(), g.repeats,
                                g.test_fraction, g.seed)
    truth = _truth(tables["a"], new, split_set, evaluation)
    summary = probes.summarise(long)
    row = summary[(summary.embedder == "a") & (summary.metric == METRIC)].iloc[0]
    paired = probes.paired_differences(long).iloc[0]
    scores = long[(long.embedder == "a") & (long.metric == METRIC)]["value"].to_numpy()
    wide = long[long.metric == METRIC].pivot_table(index="repeat", columns="embedder", values="value")
    diff = (wide["a"] - wide["b"]).to_numpy()
    ratios = {"corrected": probes.split_ratios(long)["test_sim"], "group_ratio": _group_ratio(tables["a"], split_set)}
    out = dict(recordings=design.recordings, seed=seed, truth=truth, mean=float(row["mean"]),
               splits=int(row["splits"]), reliable=bool(row["reliable"]))
    for method, ratio in ratios.items():
        _, low, high = interval(scores, ratio)
        out |= {f"{method}_covered": bool(low <= truth <= high), f"{method}_width": high - low,
                f"{method}_p": p_value(diff, ratio)}
    out |= {"reported_covered": bool(row["ci_low"] <= truth <= row["ci_high"]),
            "reported_width": row["ci_high"] - row["ci_low"], "reported_p": float(paired["p_value"])}
    return out


METHODS = ("reported", "corrected", "group_ratio")


def coverage(results: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per design: coverage of each method's 95% interval (NaN intervals count as misses),
    mean width, and type-I error of its paired test at ``alpha``."""
    rows = []
    for recordings, part in results.groupby("recordings", sort=True):
        row = dict(recordings=recordings, sets=len(part), splits=float(part["splits"].median()),
                   reliable=float(part["reliable"].mean()))
        for m in METHODS:
            row |= {f"{m}_coverage": float(part[f"{m}_covered"].mean()),
                    f"{m}_width": float(part[f"{m}_width"].mean()),
                    f"{m}_type1": float((part[f"{m}_p"] < alpha).mean())}
        rows.append(row)
    return pd.DataFrame(rows)


def runs(design: Design, evaluation: Evaluation, seeds) -> pd.DataFrame:
    """``one_set`` for each seed."""
    return pd.DataFrame([one_set(design, evaluation, int(s)) for s in seeds])


def with_recordings(design: Design, recordings: int) -> Design:
    return replace(design, recordings=recordings)
