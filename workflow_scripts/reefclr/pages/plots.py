"""Figures: UMAP grid, test-F1 bars, chi-square bars, interval bars, few-shot curves, loss curve."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from reefclr.evaluation.aggregate import location
from reefclr.registry import display_name


def _save(fig, path, dpi: int) -> None:
    from reefclr.core.atomic import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=str(path).rsplit(".", 1)[-1])
    plt.close(fig)


def _palette(names: list[str]) -> dict[str, tuple]:
    """A categorical colour per name, in the order given."""
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    return {name: cmap(i % cmap.N) for i, name in enumerate(names)}


def class_colours(labels: list[str]) -> dict[str, tuple]:
    """One colour per class name, the same in every panel."""
    return _palette(sorted(labels))


def embedder_colours(embedders: list[str]) -> dict[str, tuple]:
    """One colour per embedder (by display name), in config order, the same in every figure."""
    return _palette([display_name(e) for e in embedders])


def umap_grid(coords: dict[tuple[str, str], pd.DataFrame], embedders: list[str], datasets: list[str],
              path, dpi: int = 150, point_size: float = 6) -> None:
    """Rows: embedders; columns: test sets; points coloured by class."""
    fig, axes = plt.subplots(len(embedders), len(datasets), figsize=(3.0 * len(datasets), 2.8 * len(embedders)),
                             squeeze=False)
    for j, ds in enumerate(datasets):
        labels = sorted(set().union(*(set(coords[(e, ds)]["label"]) for e in embedders)))
        colours = class_colours(labels)
        for i, emb in enumerate(embedders):
            ax = axes[i][j]
            df = coords[(emb, ds)]
            for lab in labels:
                sel = df[df["label"] == lab]
                ax.scatter(sel["x"], sel["y"], s=point_size, color=colours[lab], label=lab, alpha=0.8, linewidths=0)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(location(ds))
            if j == 0:
                ax.set_ylabel(display_name(emb))
        axes[-1][j].legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), fontsize=7, ncol=2, frameon=False,
                           markerscale=2)
    fig.suptitle("2-D UMAP of each embedding, coloured by class")
    _save(fig, path, dpi)


@dataclass(frozen=True)
class Bars:
    """A bar chart by Location: the column of ``value`` per ``group`` (an embedder's display name)."""

    value: str
    group: str
    ylabel: str
    title: str
    log: bool = False


def grouped_bars(table: pd.DataFrame, bars: Bars, embedders: list[str], path, dpi: int = 150) -> None:
    """Bars of ``bars.value`` by Location, one bar per embedder, in config order."""
    value, group, ylabel, title, log = bars.value, bars.group, bars.ylabel, bars.title, bars.log
    locs = sorted(table["Location"].unique())
    colours = embedder_colours(embedders)
    groups = [g for g in colours if g in set(table[group])]
    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(locs) * max(1, len(groups) / 3)), 3.8))
    x = np.arange(len(locs))
    for k, g in enumerate(groups):
        sub = table[table[group] == g].set_index("Location").reindex(locs)
        ax.bar(x + (k - (len(groups) - 1) / 2) * width, sub[value], width, label=g, color=colours[g])
    ax.set_xticks(x, locs, rotation=20)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    _save(fig, path, dpi)


def loss_curve(history: pd.DataFrame, checks: pd.DataFrame, path, dpi: int = 150) -> None:
    """Loss and learning rate against step; below, the checks against the untrained twin (step 0):
    k-NN accuracy with recordings held out, effective rank, alignment and uniformity."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), squeeze=False)
    ax = axes[0, 0]
    ax.plot(history["step"], history["loss"], color="tab:blue", lw=1, alpha=0.5, label="loss")
    if len(history) >= 5:
        smooth = history["loss"].rolling(max(1, len(history) // 20), min_periods=1).mean()
        ax.plot(history["step"], smooth, color="tab:blue", lw=2, label="loss (smoothed)")
    ax.set_ylabel("NT-Xent loss")
    lr = ax.twinx()
    lr.plot(history["step"], history["lr"], color="tab:orange", lw=1, label="learning rate")
    lr.set_ylabel("learning rate")
    ax.set_title("SimCLR pretraining")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    twin = checks[checks["step"] == 0]
    panels = [(axes[0, 1], "knn_accuracy", "k-NN accuracy (recordings held out)"),
              (axes[1, 0], "effective_rank", "effective rank of h (RankMe)"),
              (axes[1, 1], "alignment", "alignment (lower: views agree)")]
    for ax, column, label in panels:
        ax.plot(checks["step"], checks[column], "o-", color="tab:green", label="trained")
        if len(twin) and np.isfinite(twin[column].iloc[0]):
            ax.axhline(twin[column].iloc[0], color="grey", ls="--", label="untrained twin (step 0)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    axes[0, 1].set_ylim(0, 1.02)
    uni = axes[1, 1].twinx()
    uni.plot(checks["step"], checks["uniformity"], "s:", color="tab:purple")
    uni.set_ylabel("uniformity (dotted; lower: spread)")
    for ax in axes[1]:
        ax.set_xlabel("step")
    _save(fig, path, dpi)


def interval_bars(summary: pd.DataFrame, metric: str, protocols: dict[str, str], embedders: list[str], path,
                  dpi: int = 150) -> None:
    """One panel per protocol: mean of ``metric`` with its 95% interval, by location and embedder;
    bars of unreliable intervals hatched (a class in fewer than 3 groups, docs/statistics.md)."""
    fig, axes = plt.subplots(1, len(protocols), figsize=(6.5 * len(protocols), 3.8), squeeze=False, sharey=True)
    colours = embedder_colours(embedders)
    hatched = False
    for ax, (protocol, title) in zip(axes[0], protocols.items()):
        sub = summary[(summary["protocol"] == protocol) & (summary["metric"] == metric)]
        datasets = sorted(sub["dataset"].unique())
        x = np.arange(len(datasets))
        width = 0.8 / max(1, len(embedders))
        for k, emb in enumerate(embedders):
            row = sub[sub["embedder"] == emb].set_index("dataset").reindex(datasets)
            err = np.vstack([row["mean"] - row["ci_low"], row["ci_high"] - row["mean"]])
            bars = ax.bar(x + (k - (len(embedders) - 1) / 2) * width, row["mean"], width, yerr=err, capsize=2,
                          label=display_name(emb), color=colours[display_name(emb)], error_kw={"lw": 0.8})
            unreliable = ~row["reliable"].fillna(True).astype(bool) if "reliable" in row else []
            for bar, flag in zip(bars, unreliable):
                if flag:
                    bar.set_hatch("///")
                    bar.set_edgecolor("0.3")
                    hatched = True
        ax.set_xticks(x, [split_label(sub, d) for d in datasets], fontsize=7)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel(f"{metric.replace('_', '-')} (mean, 95% interval)")
    axes[0][-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    if hatched:
        fig.text(0.01, -0.02, "hatched: interval unreliable (a class is found in fewer than 3 groups)", fontsize=7)
    _save(fig, path, dpi)


def split_label(summary: pd.DataFrame, dataset: str) -> str:
    """'location' and, below it, how its splits were grouped and how many distinct ones there are."""
    rows = summary[summary["dataset"] == dataset]
    if rows.empty or "grouping" not in rows:
        return location(dataset)
    first = rows.iloc[0]
    grouping = "NOT grouped" if first["grouping"] == "none" else f"by {first['grouping']}"
    groups = f"{int(first['groups'])} groups, " if "groups" in rows and pd.notna(first["groups"]) else ""
    return f"{location(dataset)}\n{grouping}\n{groups}{int(first['splits'])} splits"


def few_shot_curves(summary: pd.DataFrame, embedders: list[str], path, dpi: int = 150) -> None:
    """Macro-F1 against labelled clips per class, one panel per test set, one line per embedder."""
    sub = summary[summary["protocol"].str.startswith("fewshot_k") & (summary["metric"] == "macro_f1")]
    sub = sub.assign(k=sub["protocol"].str.removeprefix("fewshot_k").astype(int)).sort_values("k")
    datasets = sorted(sub["dataset"].unique())
    cols = min(3, max(1, len(datasets)))
    rows = int(np.ceil(len(datasets) / cols)) or 1
    colours = embedder_colours(embedders)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False, sharey=True)
    for ax, ds in zip(axes.flat, datasets):
        for emb in embedders:
            line = sub[(sub["dataset"] == ds) & (sub["embedder"] == emb)]
            if line.empty:
                continue
            colour = colours[display_name(emb)]
            ax.plot(line["k"], line["mean"], "o-", ms=3, label=display_name(emb), color=colour)
            ax.fill_between(line["k"], line["ci_low"], line["ci_high"], alpha=0.15, color=colour)
        ax.set_xscale("log", base=2)
        ax.set_title(split_label(sub, ds).replace("\n", " · "), fontsize=9)
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(datasets):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("labelled clips per class")
    for ax in axes[:, 0]:
        ax.set_ylabel("macro-F1")
    axes.flat[0].legend(fontsize=8, frameon=False)
    fig.suptitle("Few-shot linear probe (mean and 95% interval over grouped splits)")
    _save(fig, path, dpi)


def confusion_grid(confusion: dict, embedders: list[str], datasets: list[str], protocol: str, path,
                   dpi: int = 150) -> None:
    """Row-normalised confusion matrices (summed over grouped splits): rows embedders, columns test sets."""
    fig, axes = plt.subplots(len(embedders), len(datasets), figsize=(2.6 * len(datasets), 2.5 * len(embedders)),
                             squeeze=False)
    for i, emb in enumerate(embedders):
        for j, ds in enumerate(datasets):
            ax = axes[i][j]
            entry = confusion.get(emb, {}).get(ds, {}).get(protocol)
            if entry is None:
                ax.set_visible(False)
                continue
            m = np.array(entry["matrix"], dtype=float)
            m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
            ax.imshow(m, vmin=0, vmax=1, cmap="Blues")
            ticks = range(len(entry["classes"]))
            ax.set_xticks(ticks, entry["classes"], rotation=90, fontsize=6)
            ax.set_yticks(ticks, entry["classes"], fontsize=6)
            if i == 0:
                ax.set_title(location(ds), fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{display_name(emb)}\ntrue", fontsize=8)
            if i == len(embedders) - 1:
                ax.set_xlabel("predicted", fontsize=8)
    fig.suptitle(f"Confusion matrices ({protocol}, row-normalised, summed over grouped splits)")
    fig.tight_layout()
    _save(fig, path, dpi)


def published_scatter(reproduced: pd.DataFrame, published: pd.DataFrame, path, dpi: int = 150) -> None:
    """Reproduced against published test F1, one point per embedding x location both have."""
    both = reproduced.merge(published, on=["Embedding", "Location"], suffixes=("", " published"))
    fig, ax = plt.subplots(figsize=(4.8, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    for emb, part in both.groupby("Embedding"):
        ax.scatter(part["Test F1 published"], part["Test F1"], label=emb, s=30)
        for _, r in part.iterrows():
            ax.annotate(r["Location"], (r["Test F1 published"], r["Test F1"]), fontsize=6, alpha=0.7,
                        xytext=(2, 2), textcoords="offset points")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("published test F1")
    ax.set_ylabel("reproduced test F1")
    ax.set_title("Published vs reproduced (random forest)")
    if len(both):
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    else:
        ax.text(0.5, 0.5, "no embedding x location in common\nwith the published table", ha="center",
                va="center", transform=ax.transAxes)
    _save(fig, path, dpi)
