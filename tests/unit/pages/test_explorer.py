"""reefclr.pages.explorer: subsampling, predictions, colours, a self-contained page."""

import numpy as np
import pandas as pd

from reefclr.pages import explorer


def test_stratified_keep_keeps_every_label_in_proportion():
    labels = pd.Series(["a"] * 900 + ["b"] * 90 + ["c"] * 10)
    assert len(explorer.stratified_keep(labels, 2000, 0)) == 1000
    keep = explorer.stratified_keep(labels, 100, 0)
    counts = labels.iloc[keep].value_counts()
    assert abs(len(keep) - 100) <= 3 and counts["a"] == 90 and counts["b"] == 9 and counts["c"] == 1
    assert np.array_equal(keep, explorer.stratified_keep(labels, 100, 0))  # seeded


def test_out_of_fold_predictions_never_see_their_group():
    rng = np.random.default_rng(0)
    y = np.repeat(["grunt", "croak"], 40)
    x = rng.normal(size=(80, 8)) + np.where(y == "grunt", 3.0, -3.0)[:, None]
    groups = np.tile(np.arange(8), 10)
    predicted = explorer.out_of_fold_predictions(x, y, groups, 0)
    assert (predicted == y).mean() > 0.95
    assert explorer.out_of_fold_predictions(x, y, np.zeros(80), 0) is None  # one group: nothing held out


def _tables(n: int):
    rng = np.random.default_rng(0)
    meta = pd.DataFrame({"clip_id": [f"c{i}" for i in range(n)], "source": [f"rec{i % 7}.wav" for i in range(n)],
                         "offset_s": np.arange(n) * 1.92, "label": np.where(np.arange(n) % 3, "fish", "ambient"),
                         "site": "s1", "group": [f"rec{i % 7}" for i in range(n)], "hour": np.arange(n) % 24})
    frames = {name: pd.DataFrame({"clip_id": meta["clip_id"], "x": rng.normal(size=n), "y": rng.normal(size=n),
                                  "predicted": meta["label"], "cluster": (np.arange(n) % 4).astype(str)})
              for name in ("reefclr", "birdnet")}
    return meta, frames


def test_dataset_table_subsamples_and_colours():
    meta, frames = _tables(300)
    table, n_total = explorer.dataset_table(meta, frames, 100, 0)
    assert n_total == 300 and abs(len(table) - 100) <= 2
    assert {"x_reefclr", "y_birdnet", "c_label", "c_hour", "c_cluster_birdnet", "c_predicted_reefclr"} <= set(table)
    assert table.groupby("label")["c_label"].nunique().eq(1).all()  # one colour per label
    assert table["c_label"].nunique() == 2


def test_page_is_one_self_contained_file(tmp_path):
    meta, frames = _tables(50)
    table, n_total = explorer.dataset_table(meta, frames, 40, 0)
    path = tmp_path / "explorer.html"
    explorer.write_page([explorer.panel("test_x", table, ["reefclr", "birdnet"], n_total, 5)], path, "t", "notes")
    text = path.read_text()
    assert f"{len(table)} of 50 clips: a subsample stratified by label" in text
    assert "<script src=" not in text and "cdn.bokeh.org" not in text  # inline, works offline
    assert "reefclr-player" in text and "source_test_x" in text


def test_rounds_of_a_deployment_tab_are_text_and_link_the_review_pages():
    import pandas as pd

    table = pd.DataFrame({"round": [0, 1], "reviewed": [0, 80], "roc_auc": [0.7, 0.75], "threshold_source":
                          ["classifier", "deployment"], "events": [9, 7], "density": [0.1, 0.12],
                          "density_low": [0.05, 0.08], "density_high": [0.2, 0.18], "event_f1": [0.1, 0.2]})
    rounds = explorer.Rounds("<fish>", table, ["results/deploy/d/round-1/review/<fish>/validation.html"])
    text = rounds.html()
    assert "<fish>" not in text and "&lt;fish&gt;" in text
    assert "href='deploy/d/round-1/review/&lt;fish&gt;/validation.html'" in text and text.count("</tr>") == 3
