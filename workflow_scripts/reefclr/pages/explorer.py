"""The explorer: one self-contained HTML page (Bokeh, inline resources, no server, no
network) of the 2-D UMAP of every embedder x test set. Per test set two embedders side by
side on one data source (a selection in one is the selection in the other), points coloured
by label, predicted label, cluster, recording, site or hour of day; hovering shows the clip's
spectrogram, a click plays its audio (Opus snippets inside the page).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reefclr.evaluation.splits import stratified_subsample

log = logging.getLogger(__name__)

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
           "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]
COLOURINGS = {"label": "label", "predicted": "predicted label", "cluster": "cluster", "recording": "recording",
              "site": "site", "hour": "hour of day"}
PER_EMBEDDER = ("predicted", "cluster")  # colourings that differ between embedders
PLAY_JS = """
const i = source.selected.indices[0];
if (i === undefined) { return; }
const src = source.data.audio[i];
if (!src) { return; }
let player = document.getElementById("reefclr-player");
if (!player) {
  player = document.createElement("audio");
  player.id = "reefclr-player";
  player.controls = true;
  document.body.appendChild(player);
}
player.src = src;
player.play();
"""
SWITCH_JS = """
const colouring = colour.value;
const data = left.renderers[0].data_source.data;
const valueField = {label: "label", predicted: "predicted_" + leftSelect.value, cluster: "cluster_" + leftSelect.value,
                    recording: "source", site: "site", hour: "hour"}[colouring];
const colourField = PER_EMBEDDER.includes(colouring) ? "c_" + colouring + "_" + leftSelect.value : "c_" + colouring;
const seen = new Map();
for (let i = 0; i < data[colourField].length && seen.size < 24; i++) {
  const key = String(data[valueField][i]);
  if (!seen.has(key)) { seen.set(key, data[colourField][i]); }
}
legend.text = "<div style='font-size:11px'>" + [...seen].sort().map(([k, c]) =>
  "<span style='white-space:nowrap;margin-right:10px'><span style='display:inline-block;width:10px;height:10px;" +
  "background:" + c + "'></span> " + k + "</span>").join(" ") + (seen.size >= 24 ? " ..." : "") + "</div>";
const perEmbedder = PER_EMBEDDER;
for (const [plot, select] of [[left, leftSelect], [right, rightSelect]]) {
  const emb = select.value;
  const glyph = plot.renderers[0].glyph;
  glyph.x = {field: "x_" + emb};
  glyph.y = {field: "y_" + emb};
  const field = perEmbedder.includes(colouring) ? "c_" + colouring + "_" + emb : "c_" + colouring;
  glyph.fill_color = {field: field};
  glyph.line_color = {field: field};
  plot.title.text = emb;
}
"""


def colours(values: pd.Series) -> list[str]:
    """One palette colour per distinct value (in order of first appearance); missing: grey."""
    codes = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(pd.unique(values.dropna()))}
    return [codes.get(v, "#dddddd") for v in values]


def hour_colours(hours: pd.Series) -> list[str]:
    """Hour of day on a cyclic colour wheel (midnight and 23:00 alike); unknown: grey."""
    import matplotlib

    wheel = matplotlib.colormaps["twilight"]
    return ["#dddddd" if pd.isna(h) else matplotlib.colors.to_hex(wheel((h % 24) / 24)) for h in hours]


def stratified_keep(labels: pd.Series, n: int, seed: int) -> np.ndarray:
    """Sorted positions of about ``n`` points (one more per label at most), each label in its
    proportion and at least once; all of them when there are no more than ``n``."""
    labels = np.asarray(labels)
    return np.arange(len(labels)) if len(labels) <= n else stratified_subsample(labels, n, seed)


def out_of_fold_predictions(x: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int) -> np.ndarray | None:
    """Each clip's label as predicted by a logistic regression that never saw its group
    (grouped k-fold, k = min(3, groups)); None when there are fewer than two groups or classes."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n_groups = len(np.unique(groups))
    if n_groups < 2 or len(np.unique(y)) < 2:
        return None
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    return cross_val_predict(model, x, y, groups=groups, cv=GroupKFold(n_splits=min(3, n_groups)))


def dataset_table(meta: pd.DataFrame, per_embedder: dict[str, pd.DataFrame], max_points: int,
                  seed: int) -> tuple[pd.DataFrame, int]:
    """The columns of one test set's data source: metadata, empty media, x/y and colours per
    embedder; about ``max_points`` rows at most, subsampled stratified by label. Returns
    (table, number of clips before subsampling)."""
    n_total = len(meta)
    keep = stratified_keep(meta["label"], max_points, seed)
    table = meta.iloc[keep].reset_index(drop=True)
    table["thumb"], table["audio"] = "", ""
    table["c_label"] = colours(table["label"])
    table["c_recording"] = colours(table["source"])
    table["c_site"] = colours(table["site"])
    table["c_hour"] = hour_colours(table["hour"])
    for name, frame in per_embedder.items():
        frame = frame.set_index("clip_id").loc[table["clip_id"]]
        table[f"x_{name}"], table[f"y_{name}"] = frame["x"].to_numpy(), frame["y"].to_numpy()
        table[f"c_predicted_{name}"] = colours(frame["predicted"].reset_index(drop=True))
        table[f"c_cluster_{name}"] = colours(frame["cluster"].reset_index(drop=True))
        table[f"predicted_{name}"] = frame["predicted"].fillna("").astype(str).to_numpy()
        table[f"cluster_{name}"] = frame["cluster"].fillna("").astype(str).to_numpy()
    return table, n_total


def legend_html(values: pd.Series, colours_: pd.Series, limit: int = 24) -> str:
    """The colour key (as the page's script writes it when the colouring changes)."""
    seen = dict(zip(values.astype(str), colours_))
    items = sorted(seen.items())[:limit]
    spans = " ".join("<span style='white-space:nowrap;margin-right:10px'><span style='display:inline-block;"
                     f"width:10px;height:10px;background:{c}'></span> {html.escape(k)}</span>" for k, c in items)
    return f"<div style='font-size:11px'>{spans}{' ...' if len(seen) > limit else ''}</div>"


TOOLTIP = """
<div style="width:110px">
  <img src="@thumb" width="96" height="64" alt="" style="display:block;border:1px solid #ccc">
  <div><b>@label</b></div>
  <div style="font-size:10px;word-break:break-all">@source @offset_s{0.00} s</div>
</div>
"""


def panel(dataset: str, table: pd.DataFrame, embedders: list[str], n_total: int, point_size: int):
    """One test set's tab: the two embedder plots, their selects and the colour select."""
    from bokeh.layouts import column, row
    from bokeh.models import (ColumnDataSource, CustomJS, Div, HoverTool, Select, TabPanel, TapTool)
    from bokeh.plotting import figure

    source = ColumnDataSource(table, name=f"source_{dataset}")
    left_name, right_name = embedders[0], embedders[min(1, len(embedders) - 1)]
    plots = []
    for side, name in (("left", left_name), ("right", right_name)):
        plot = figure(title=name, width=520, height=480, tools="pan,wheel_zoom,box_select,lasso_select,reset,tap",
                      name=f"{side}_{dataset}", output_backend="webgl")
        plot.scatter(f"x_{name}", f"y_{name}", source=source, size=point_size, fill_color={"field": "c_label"},
                     line_color={"field": "c_label"}, fill_alpha=0.8, selection_line_color="black",
                     nonselection_fill_alpha=0.15, nonselection_line_alpha=0.15)
        plot.add_tools(HoverTool(tooltips=TOOLTIP))
        plot.select_one(TapTool).behavior = "select"
        plot.axis.visible = False
        plots.append(plot)
    selects = [Select(title=f"{side} embedder", value=value, options=embedders, name=f"{side}_select_{dataset}")
               for side, value in (("left", left_name), ("right", right_name))]
    colour = Select(title="colour by", value="label", options=[(k, v) for k, v in COLOURINGS.items()],
                    name=f"colour_{dataset}")
    legend = Div(text=legend_html(table["label"], table["c_label"]), name=f"legend_{dataset}", width=1040)
    switch = CustomJS(args=dict(left=plots[0], right=plots[1], leftSelect=selects[0], rightSelect=selects[1],
                                colour=colour, legend=legend), code=SWITCH_JS.replace("PER_EMBEDDER", str(list(PER_EMBEDDER))))
    for widget in (*selects, colour):
        widget.js_on_change("value", switch)
    source.selected.js_on_change("indices", CustomJS(args=dict(source=source), code=PLAY_JS))
    shown = len(table)
    note = (f"{shown:,} clips" if shown == n_total else
            f"{shown:,} of {n_total:,} clips: a subsample stratified by label (explorer.max_points)")
    header = Div(text=f"<p><b>{dataset}</b>: {note}. Hover a point for its spectrogram; click it to hear it; "
                      "a selection in one plot is the selection in the other.</p>")
    return TabPanel(child=column(header, row(*selects, colour), legend, row(*plots)), title=dataset)


TITLE = "ReefCLR explorer: look and listen"


def write_page(panels: list, path: str, title: str, notes: str) -> None:
    """Every test set's tab in one standalone HTML file with Bokeh's JavaScript inline."""
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.models import Div, Tabs
    from bokeh.resources import INLINE

    from reefclr.core.atomic import atomic_path

    layout = column(Div(text=f"<h2>{title}</h2><p>{notes}</p>"), Tabs(tabs=panels))
    html = file_html(layout, INLINE, title=title)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


@dataclass(frozen=True)
class Rounds:
    """One sound's review rounds in a deployment (rounds.csv) and its last round's review pages."""

    sound: str
    table: pd.DataFrame
    pages: list[str]

    def html(self) -> str:
        shown = self.table[["round", "reviewed", "roc_auc", "threshold_source", "events", "density", "density_low",
                            "density_high", "event_f1"]]
        links = " · ".join(f"<a href='{html.escape(Path(p).relative_to('results').as_posix(), quote=True)}'>"
                           f"{html.escape(Path(p).stem)} sample</a>" for p in self.pages)
        return (f"<p><b>{html.escape(self.sound)}</b>, review rounds side by side; review the last round: {links} "
                "(keys y / n / u, save, put the file in deploy.review.reviewed, rerun)</p>"
                + shown.to_html(index=False, border=0, float_format=lambda v: f"{v:.3g}", na_rep=""))


def deploy_panel(dataset: str, media: pd.DataFrame, point_size: int, rounds: list[Rounds] = ()):
    """A deployment's search hits and detections, at their time (or order) and score, coloured
    by query or sound; hover for the spectrogram, click to hear the window; each sound's review
    rounds side by side, with links to its review pages."""
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, CustomJS, Div, HoverTool, TabPanel, TapTool
    from bokeh.plotting import figure

    table = media.reset_index(drop=True).copy()
    timed = table["time"].notna().all() and len(table)
    table["x"] = pd.to_datetime(table["time"]) if timed else np.arange(len(table))
    table["colour"] = colours(table["kind"])
    table["time"] = table["time"].astype(str)
    source = ColumnDataSource(table, name=f"source_{dataset}")
    plot = figure(width=1040, height=420, x_axis_type="datetime" if timed else "linear", name=f"plot_{dataset}",
                  tools="pan,wheel_zoom,box_select,reset,tap", y_axis_label="score", output_backend="webgl",
                  x_axis_label="time" if timed else "hit")
    plot.scatter("x", "score", source=source, size=point_size + 2, fill_color="colour", line_color="colour",
                 fill_alpha=0.8, nonselection_fill_alpha=0.2)
    plot.add_tools(HoverTool(tooltips=TOOLTIP.replace("@label</b>", "@kind</b> @score{0.000}")))
    plot.select_one(TapTool).behavior = "select"
    source.selected.js_on_change("indices", CustomJS(args=dict(source=source), code=PLAY_JS))
    header = Div(text=f"<p><b>{html.escape(dataset)}</b>: {len(table):,} search hits and detections (the best "
                      "explorer.max_media of each query and sound). Hover for the spectrogram; click to hear it.</p>")
    legend = Div(text=legend_html(table["kind"], table["colour"]), width=1040)
    review = Div(text="".join(r.html() for r in rounds), width=1040)
    return TabPanel(child=column(header, review, legend, plot), title=dataset)
