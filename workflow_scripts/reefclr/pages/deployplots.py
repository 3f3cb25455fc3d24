"""Figures of a deployment: detections by hour of day and date, call density by hour with its
intervals, the calibration curve of a classifier's scores, and review rounds side by side."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from reefclr.pages.plots import _save  # noqa: E402


def diel(hourly: pd.DataFrame, sound: str, path, dpi: int = 150) -> None:
    """Per site, events per recorded hour as an hour-of-day x date heat map (grey: no recording)."""
    sites = sorted(hourly["site"].astype(str).unique())
    dates = sorted(hourly["date"].unique())
    fig, axes = plt.subplots(1, len(sites), figsize=(1.2 + 0.45 * max(4, len(dates)) * len(sites), 4.2),
                             squeeze=False, sharey=True)
    top = max(float(hourly["events_per_hour"].max()), 1e-9)
    for ax, site in zip(axes[0], sites, strict=True):
        grid = np.full((24, len(dates)), np.nan)
        for r in hourly[hourly["site"].astype(str) == site].itertuples():
            grid[int(r.hour), dates.index(r.date)] = r.events_per_hour
        cmap = matplotlib.colormaps["viridis"].copy()
        cmap = cmap.with_extremes(bad="#dddddd")
        image = ax.imshow(np.ma.masked_invalid(grid), aspect="auto", origin="lower", cmap=cmap, vmin=0, vmax=top,
                          extent=(-0.5, len(dates) - 0.5, -0.5, 23.5), interpolation="nearest")
        ax.set_xticks(range(len(dates)), [d[5:] for d in dates], rotation=90, fontsize=7)
        ax.set_title(site, fontsize=9)
    axes[0][0].set_yticks(range(0, 24, 3))
    axes[0][0].set_ylabel("hour of day")
    fig.colorbar(image, ax=axes[0].tolist(), label=f"{sound} events per recorded hour")
    fig.suptitle(f"{sound}: diel pattern per site", fontsize=10)
    _save(fig, path, dpi)


def detection_series(hourly: pd.DataFrame, sound: str, path, dpi: int = 150) -> None:
    """Events per recorded hour over time, one line per site."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    table = hourly.assign(when=pd.to_datetime(hourly["date"]) + pd.to_timedelta(hourly["hour"], unit="h"))
    for site, rows in table.groupby(table["site"].astype(str), sort=True):
        rows = rows.sort_values("when")
        ax.plot(rows["when"], rows["events_per_hour"], marker="o", ms=3, lw=1, label=site)
    ax.set_ylabel(f"{sound} events per recorded hour")
    ax.legend(fontsize=7, ncol=4)
    fig.autofmt_xdate()
    _save(fig, path, dpi)


def density_diel(table: pd.DataFrame, sound: str, level: float, path, dpi: int = 150) -> None:
    """Call density by hour of day, one panel per site: each hour's estimate with its interval
    (hollow where the row is unreliable, none where there is no estimate), the site's density
    as a dashed line in its band, the true density where known (x)."""
    hourly = table[table["kind"] == "hour"]
    sites = sorted(hourly["site"].astype(str).unique()) or ["(none)"]
    fig, axes = plt.subplots(1, len(sites), figsize=(3.6 * len(sites) + 0.8, 3.4), squeeze=False, sharey=True)
    for ax, site in zip(axes[0], sites, strict=True):
        rows = hourly[hourly["site"].astype(str) == site].sort_values("hour")
        whole = table[(table["site"].astype(str) == site) & (table["kind"] == "site")]
        if len(whole) and np.isfinite(whole["density"].iloc[0]):
            w = whole.iloc[0]
            ax.axhspan(w["low"], w["high"], color="0.85", zorder=0, label=f"site, {level:.0%} interval")
            ax.axhline(w["density"], ls="--", lw=0.8, color="0.4", label="site")
        for reliable, style in ((True, dict(mfc="#1f77b4")), (False, dict(mfc="white"))):
            part = rows[rows["reliable"].astype(bool) == reliable]
            if len(part):
                ax.errorbar(part["hour"].astype(float), part["density"],
                            yerr=[part["density"] - part["low"], part["high"] - part["density"]], fmt="o", ms=4,
                            color="#1f77b4", capsize=2, label="estimate" if reliable else "estimate (unreliable)",
                            **style)
        if "true_density" in rows and rows["true_density"].notna().any():
            ax.plot(rows["hour"].astype(float), rows["true_density"], "x", color="#d62728", label="true (known events)")
        ax.set_xlim(-0.5, 23.5)
        ax.set_ylim(0, min(1.0, 1.05 * float(np.nanmax(table["high"].to_numpy(float), initial=0.1))))
        ax.set_xticks(range(0, 24, 3))
        ax.set_xlabel("hour of day")
        ax.set_title(site, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(f"share of windows with {sound}")
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.suptitle(f"{sound}: call density per site and hour (no threshold)", fontsize=10)
    _save(fig, path, dpi)


def calibration(reviewed: pd.DataFrame | None, points: pd.DataFrame, thresholds: pd.DataFrame, sound: str, path,
                dpi: int = 150) -> None:
    """The probability of the sound by score (``points``: site, fit, score, probability; the
    pooled curve ``all`` thicker), the reviewed windows at 0 and 1, and ``thresholds`` (level,
    score, low, high: where the pooled curve reaches 0.9, 0.95, 0.99, with intervals); without a
    reviewed sample drawn from these scores, a note saying so."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    if reviewed is None or points.empty:
        ax.text(0.5, 0.5, "no reviewed validation sample drawn from these scores:\nno calibration",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        _save(fig, path, dpi)
        return
    jitter = np.random.default_rng(0).uniform(-0.03, 0.03, len(reviewed))
    ax.scatter(reviewed["score"], reviewed["y"] + jitter, s=8, alpha=0.4, color="0.3", label="reviewed windows")
    points = points[(points["score"] > 0) & (points["score"] < 1)]
    for site, curve in points.groupby("site", sort=False):
        pooled = site == "all"
        ax.plot(curve["score"], curve["probability"], lw=2 if pooled else 1, alpha=1 if pooled else 0.6,
                label="all sites" if pooled else str(site))
    for t in thresholds.dropna(subset=["score"]).itertuples():
        ax.axvline(t.score, ls=":", color="0.5", lw=0.8)
        ax.axvspan(t.low, t.high, color="0.5", alpha=0.08)
        ax.text(t.score, 0.5, f"P = {t.level:g}", rotation=90, fontsize=7, va="center", ha="right", clip_on=True)
    ax.set_xscale("logit")  # scores crowd near 0 and 1: a logit axis spreads them
    top = max([float(reviewed["score"].max())] + [t for t in thresholds["high"].dropna() if t < 1])
    ax.set_xlim(max(1e-4, float(reviewed["score"].min()) / 2), min(1 - 1e-5, 1 - (1 - top) / 2))
    ax.set_xlabel("classifier score (logit scale)")
    ax.set_ylabel(f"P({sound})")
    ax.set_ylim(-0.08, 1.08)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(f"{sound}: what a score means (reviewed validation sample)", fontsize=10)
    _save(fig, path, dpi)


def rounds(table: pd.DataFrame, sound: str, path, dpi: int = 150) -> None:
    """Review rounds side by side: the deployment's density with its interval (and the truth
    where known), the classifier's ROC-AUC with its interval, event F1 where known."""
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    x = table["round"].to_numpy()
    panels = (("density", "density_low", "density_high", "call density (deployment)"),
              ("roc_auc", "roc_auc_low", "roc_auc_high", "ROC-AUC (grouped validation)"),
              ("event_f1", "event_f1_low", "event_f1_high", "event F1, IoU > 0.3"))
    for ax, (mid, low, high, title) in zip(axes, panels, strict=True):
        if mid in table and table[mid].notna().any():
            ax.errorbar(x, table[mid], yerr=[table[mid] - table[low], table[high] - table[mid]], fmt="o-", capsize=3)
        if mid == "density" and "true_density" in table and table["true_density"].notna().any():
            ax.plot(x, table["true_density"], "x", color="#d62728", label="true (known events)")
            ax.legend(fontsize=7)
        ax.set_xticks(x)
        ax.set_xlabel("round")
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{sound}: review rounds (reviewed windows: {', '.join(map(str, table['reviewed']))})", fontsize=10)
    _save(fig, path, dpi)
