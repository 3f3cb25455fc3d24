"""reefclr.pages.plots: each embedder has one colour, in config order, in every figure."""

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd

from reefclr.pages import plots
from reefclr.registry import display_name


EMBEDDERS = ["reefclr", "random_init", "mel_stats"]  # config order, not alphabetical


def _bar_colours(fig) -> dict[str, str]:
    """Legend label -> bar colour of every bar container in the figure's axes."""
    out = {}
    for ax in fig.axes:
        for bars in ax.containers:
            label = bars.get_label()
            if hasattr(bars, "patches") and bars.patches and not label.startswith("_"):
                out[label] = mcolors.to_hex(bars.patches[0].get_facecolor())
    return out


def test_bars_and_intervals_share_embedder_colours(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, dpi: figures.append(fig))
    shuffled = list(reversed(EMBEDDERS))
    rf = pd.DataFrame({"Location": ["Kenya"] * 3, "Embedding": [display_name(e) for e in shuffled],
                       "Test F1": [0.5, 0.6, 0.7]})
    summary = pd.DataFrame({"embedder": shuffled, "dataset": "kenya", "protocol": "rf_grouped",
                            "metric": "macro_f1", "mean": 0.5, "ci_low": 0.4, "ci_high": 0.6})
    colours = plots.embedder_colours(EMBEDDERS)
    plots.grouped_bars(rf, plots.Bars("Test F1", "Embedding", "F1", "t"), EMBEDDERS, tmp_path / "a.png")
    plots.interval_bars(summary, "macro_f1", {"rf_grouped": "RF"}, EMBEDDERS, tmp_path / "b.png")
    bars, intervals = (_bar_colours(f) for f in figures)
    expected = {name: mcolors.to_hex(c) for name, c in colours.items()}
    assert bars == intervals == expected
    assert list(bars) == [display_name(e) for e in EMBEDDERS]  # legend in config order


def test_few_shot_lines_use_embedder_colours(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, dpi: figures.append(fig))
    summary = pd.DataFrame([{"embedder": e, "dataset": "kenya", "protocol": f"fewshot_k{k}", "metric": "macro_f1",
                             "mean": 0.5, "ci_low": 0.4, "ci_high": 0.6} for e in reversed(EMBEDDERS) for k in (1, 4)])
    plots.few_shot_curves(summary, EMBEDDERS, tmp_path / "c.png")
    lines = {ln.get_label(): mcolors.to_hex(ln.get_color()) for ln in figures[0].axes[0].get_lines()}
    assert lines == {name: mcolors.to_hex(c) for name, c in plots.embedder_colours(EMBEDDERS).items()}


def test_unreliable_intervals_are_hatched_and_groups_labelled(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, dpi: figures.append(fig))
    summary = pd.DataFrame({"embedder": EMBEDDERS, "dataset": "test_kenya", "protocol": "rf_grouped",
                            "metric": "macro_f1", "mean": 0.5, "ci_low": 0.4, "ci_high": 0.6,
                            "grouping": "site", "splits": 6, "groups": 8, "reliable": [True, False, True]})
    plots.interval_bars(summary, "macro_f1", {"rf_grouped": "RF"}, EMBEDDERS, tmp_path / "b.png")
    (fig,) = figures
    hatches = {bars.get_label(): bars.patches[0].get_hatch() for bars in fig.axes[0].containers
               if hasattr(bars, "patches") and bars.patches}
    assert hatches == {display_name("reefclr"): None, display_name("random_init"): "///",
                       display_name("mel_stats"): None}
    assert "8 groups, 6 splits" in fig.axes[0].get_xticklabels()[0].get_text()
    assert any("unreliable" in t.get_text() for t in fig.texts)


def test_the_training_figure_draws_the_checks_against_the_twin(tmp_path):
    from PIL import Image

    from reefclr.training.diagnostics import COLUMNS

    history = pd.DataFrame({"step": range(1, 11), "loss": np.linspace(5, 3, 10), "lr": np.linspace(0.1, 0, 10)})
    checks = pd.DataFrame([[0, 0.4, 3.0, 1.2, -1.0, "0.4;0.4"], [5, 0.5, 8.0, 0.6, -2.0, "0.5;0.5"],
                           [10, float("nan"), 9.0, 0.5, -2.5, ""]], columns=COLUMNS)
    plots.loss_curve(history, checks, tmp_path / "curve.png", dpi=40)
    assert Image.open(tmp_path / "curve.png").size[0] > 300
