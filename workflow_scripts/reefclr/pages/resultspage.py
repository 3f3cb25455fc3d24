"""results/index.html: the answer first (per test set, the best embedder and which of its
differences the paired intervals can tell apart), then the tables and figures. One static
file: figures inline, no server, no network."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.registry import display_name

HEADLINE = ("rf_grouped", "macro_f1")  # the study's classifier, on grouped splits
PROBE_NAMES = {"rf_grouped": "random forest, grouped splits", "logreg_grouped": "linear probe, grouped splits"}
STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0} td,th{border:1px solid #ddd;padding:2px 6px}
th{background:#f4f4f4} .answer{background:#f6fbff;border-left:4px solid #1f77b4;padding:.4em .8em;margin:.6em 0}
.notice{background:#fff4e5;border-left:4px solid #ff7f0e;padding:.4em .8em} img{max-width:100%}
"""


def _interval(row: pd.Series, mean: str = "mean") -> str:
    """'mean [low, high]', or the mean with why there is no interval or why not to trust it."""
    if not (np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"])):
        return f"{row[mean]:.3f} (no interval: every split scored the same)"
    text = f"{row[mean]:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
    if "reliable" in row and not row["reliable"]:
        fewest = row.get("class_groups")
        why = f"a class is found in only {int(fewest)} group(s)" if pd.notna(fewest) else "coverage not measured"
        text += f" (unreliable: {why})"
    return text


def answers(summary: pd.DataFrame, paired: pd.DataFrame, protocol: str = HEADLINE[0],
            metric: str = HEADLINE[1]) -> list[dict]:
    """Per test set: the best embedder by mean ``metric`` under ``protocol``, the embedders it
    is distinguishably better than (Holm-adjusted paired p < 0.05) and those it is not."""
    out = []
    rows = summary[(summary["protocol"] == protocol) & (summary["metric"] == metric)]
    for dataset, group in rows.groupby("dataset", sort=True):
        best = group.loc[group["mean"].idxmax()]
        pairs = paired[(paired["dataset"] == dataset) & (paired["protocol"] == protocol)
                       & (paired["metric"] == metric)
                       & ((paired["embedder_a"] == best["embedder"]) | (paired["embedder_b"] == best["embedder"]))]
        better, tied = [], []
        for _, pair in pairs.iterrows():
            sign = 1 if pair["embedder_a"] == best["embedder"] else -1
            other = pair["embedder_b"] if sign == 1 else pair["embedder_a"]
            item = dict(embedder=other, diff=sign * pair["mean_diff"],
                        low=min(sign * pair["ci_low"], sign * pair["ci_high"]),
                        high=max(sign * pair["ci_low"], sign * pair["ci_high"]), p_holm=pair["p_holm"])
            (better if pair["distinguishable_holm"] and item["diff"] > 0 else tied).append(item)
        groups = best.get("groups")
        out.append(dict(dataset=dataset, best=best["embedder"], score=_interval(best), grouping=best["grouping"],
                        splits=int(best["splits"]), groups=int(groups) if pd.notna(groups) else None, better=sorted(better, key=lambda i: -i["diff"]),
                        tied=sorted(tied, key=lambda i: i["diff"]), embedders=int(group["embedder"].nunique())))
    return out


def _names(items: list[dict]) -> str:
    return ", ".join(f"{html.escape(display_name(i['embedder']))} ({i['diff']:+.3f} [{i['low']:+.3f}, "
                     f"{i['high']:+.3f}], Holm p = {i['p_holm']:.3g})" for i in items) or "none"


def answer_html(a: dict) -> str:
    head = (f"<div class='answer'><b>{html.escape(a['dataset'])}</b>: "
            f"<b>{html.escape(display_name(a['best']))}</b>{' is best' if a['embedders'] > 1 else ''}, grouped RF "
            f"macro-F1 {a['score']} (splits grouped by {html.escape(a['grouping'])}, "
            f"{str(a['groups']) + ' groups, ' if a.get('groups') else ''}{a['splits']} distinct splits).<br>")
    if a["embedders"] < 2:
        return head + "Only one embedder was evaluated: there is nothing to compare it with.</div>"
    return (head + f"Distinguishably better than: {_names(a['better'])}.<br>"
            f"Not distinguishable from: {_names(a['tied'])}.</div>")


def _image(path: str | Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f"<img src='data:image/png;base64,{data}' alt='{html.escape(Path(path).stem)}'>"


@dataclass(frozen=True)
class Tables:
    """The tables the page reads: grouped summary, paired differences, the study's two."""

    summary: pd.DataFrame
    paired: pd.DataFrame
    rf: pd.DataFrame
    chisq: pd.DataFrame

    @classmethod
    def read(cls, summary, paired, rf, chisq) -> "Tables":
        return cls(*(pd.read_csv(p) for p in (summary, paired, rf, chisq)))


TITLE = "ReefCLR: which embedding tells these reef sounds apart"


def page(tables: Tables, figures: list[str | Path], title: str = TITLE, notice: str = "",
         deployments: list[dict] = (), pretraining: list[str] = ()) -> str:
    """The whole page as HTML text; ``deployments`` (``params.Inputs.deployment_parts``) adds each
    deployment's review rounds, ``pretraining`` (model card, training figure) the checks of the
    trained encoder against its untrained twin."""
    summary, paired, rf, chisq = tables.summary, tables.paired, tables.rf, tables.chisq
    headline = summary[summary["metric"] == "macro_f1"]
    headline = headline[headline["protocol"].isin(["rf_grouped", "logreg_grouped"])].copy()
    headline["embedder"] = headline["embedder"].map(display_name)
    headline["macro-F1 (95% interval)"] = headline.apply(_interval, axis=1)
    grouped = headline.pivot_table(index=["dataset", "embedder"], columns="protocol",
                                   values="macro-F1 (95% interval)", aggfunc="first")
    grouped = grouped.rename(columns=PROBE_NAMES).rename_axis(columns=None).reset_index()
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    if notice:
        parts.append(f"<p class='notice'>{html.escape(notice)}</p>")
    parts.append("<p>Look and listen: <a href='explorer.html'>explorer.html</a> (every embedding, "
                 "spectrograms and audio); the full Snakemake report: <a href='report.html'>report.html</a>.</p>")
    parts.append("<h2>The answer, per test set</h2>")
    parts += [answer_html(a) for a in answers(summary, paired)]
    parts.append("<p>Intervals are 95% t intervals over distinct grouped splits, kept inside [0, 1]: the "
                 "splits' corrected variance plus the variance over the sample of groups (a delete-one-group "
                 "jackknife), with coverage measured by simulation (docs/statistics.md). An interval is "
                 "marked unreliable when a class is found in fewer than 3 groups. Differences are paired on "
                 "the same splits, p-values Holm-adjusted per protocol (tables/paired_differences.csv)."
                 + (" One embedder was evaluated, so no difference between embedders could be computed."
                    if paired.empty else "") + "</p>")
    if pretraining:
        parts.append(pretraining_html(json.loads(Path(pretraining[0]).read_text()), pretraining[1]))
    parts.append("<h2>Grouped macro-F1</h2>" + grouped.to_html(index=False, border=0))
    parts.append("<h2>The study's tables</h2><h3>RF_results.csv</h3>"
                 + rf.to_html(index=False, border=0, float_format=lambda v: f"{v:.3f}")
                 + "<h3>chisq_results.csv</h3>" + chisq.to_html(index=False, border=0, float_format=lambda v: f"{v:.4g}"))
    parts.append("<h2>Figures</h2>" + "".join(f"<h3>{html.escape(Path(f).stem)}</h3>{_image(f)}" for f in figures))
    parts += [deployment_html(part) for part in deployments]
    parts.append("</body></html>")
    return "\n".join(parts)


VERDICTS = {"better": "It beats its untrained twin on every grouped split.",
            "not better": "It is NO BETTER than its untrained twin: what it learned does not separate these "
                          "labelled sounds better than random weights do.",
            "not clearly better": "It is NOT CLEARLY BETTER than its untrained twin: better on some grouped "
                                  "splits, worse on others.",
            "unknown": "No labelled set was checked (pretrain.knn.dataset), so nothing says whether it learned."}


def pretraining_html(card: dict, figure: str | Path) -> str:
    """Did self-supervision learn anything: the last check against the untrained twin (step 0),
    said plainly, with the effective rank and the training figure."""
    twin = card.get("against_twin", {"verdict": "unknown", "text": ""})
    checks = card.get("checks", [])
    first, last = (checks[0], checks[-1]) if checks else ({}, {})
    rank = (f" Effective rank of its embeddings {last['effective_rank']:.1f} (untrained twin "
            f"{first['effective_rank']:.1f}; 1 would be collapse)." if checks else "")
    return (f"<h2>Did pretraining learn anything?</h2><p class='verdict-{html.escape(twin['verdict'].replace(' ', '-'))}'>"
            f"<b>{html.escape(VERDICTS[twin['verdict']])}</b> {html.escape(twin['text'])}.{html.escape(rank)} "
            "k-NN accuracy with whole recordings held out, on the same grouped splits at every check "
            "(results/models/reefclr/diagnostics.csv).</p>" + _image(figure))


ROUND_COLUMNS = {"round": "round", "reviewed": "reviewed windows", "roc_auc": "ROC-AUC", "threshold": "threshold",
                 "threshold_source": "threshold from", "precision_low": "precision bound", "events": "events",
                 "density": "density", "true_density": "true density", "event_f1": "event F1"}


def deployment_html(part: dict) -> str:
    """One sound in one deployment: its review rounds side by side (a round that did not help
    shows as such), the last round's figures, and links to its review pages."""
    table = pd.read_csv(part["rounds"])
    table["density"] = [f"{d:.3f} [{lo:.3f}, {hi:.3f}]" if pd.notna(d) else "not estimated"
                        for d, lo, hi in zip(table["density"], table["density_low"], table["density_high"])]
    table["roc_auc"] = [f"{a:.2f} [{lo:.2f}, {hi:.2f}]" for a, lo, hi in
                        zip(table["roc_auc"], table["roc_auc_low"], table["roc_auc_high"])]
    shown = table[[c for c in ROUND_COLUMNS if c in table]].rename(columns=ROUND_COLUMNS)
    index = Path("results")
    links = " · ".join(f"<a href='{html.escape(Path(p).relative_to(index).as_posix(), quote=True)}'>"
                       f"{html.escape(Path(p).stem)} sample</a>" for p in part["pages"])
    return (f"<h2>{html.escape(part['sound'])} in {html.escape(part['dataset'])}: review rounds</h2>"
            f"<p>Round k + 1 retrains on every window reviewed in rounds 0 to k. Review round {part['round']} "
            f"in the browser: {links} (save, put the file in the folder <code>deploy.review.reviewed</code> names, "
            "rerun).</p>"
            + shown.to_html(index=False, border=0, float_format=lambda v: f"{v:.3g}", na_rep="")
            + "".join(_image(f) for f in part["figures"]))
