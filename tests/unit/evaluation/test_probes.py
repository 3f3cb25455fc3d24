"""Grouped splits, probe metrics, few-shot draws, intervals inside the metric's range, Holm."""

import numpy as np
import pandas as pd
import pytest
from helpers import REPO, dataset_spec
from reefclr.data import ingest
from reefclr.evaluation import probes, splits, stats as rstats
from scipy import stats
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

MARRS = REPO / "tests/data/marrs_sonotypes"


@pytest.fixture(scope="module")
def marrs_all():
    """Real MARRS recordings, a folder per sound type: croak 2 files, grunt 1, scrape 3."""
    spec = dataset_spec(id="test_marrs", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    seg = {"clip_s": 1.92, "hop_s": 1.92, "tail": "pad", "min_overlap": 0.5, "channel": "mean"}
    return ingest.build_manifest(spec, MARRS, seg)[0]


@pytest.fixture(scope="module")
def marrs_manifest(marrs_all):
    """The sound types recorded in at least two files."""
    return marrs_all[marrs_all.label != "grunt"].reset_index(drop=True)


def _synthetic_groups(recordings_per_class: int, clips: int = 6, classes: int = 2):
    """Labels and groups of ``classes`` classes, each in its own recordings of ``clips`` clips."""
    per_class = recordings_per_class * clips
    labels = np.repeat([f"c{k}" for k in range(classes)], per_class)
    groups = np.array([f"{lab}_r{(i % per_class) // clips}" for i, lab in enumerate(labels)])
    return labels, groups


def test_no_recording_on_both_sides_of_real_manifests(marrs_manifest):
    """2 croak and 3 scrape recordings: 5 distinct valid splits exist, all used once."""
    labels, groups = marrs_manifest["label"].to_numpy(), marrs_manifest["group"].to_numpy()
    got = splits.repeated_splits(labels, groups, repeats=20, test_fraction=0.2, seed=0)
    assert got.exhaustive and got.distinct == len(got.splits) < 20
    for train, test in got.splits:
        assert not set(groups[train]) & set(groups[test])
        assert set(labels[train]) == set(labels[test]) == set(labels)  # every class on both sides
        assert len(train) + len(test) == len(labels)
    assert len({tuple(test) for _, test in got.splits}) == got.distinct  # no split twice
    again = splits.repeated_splits(labels, groups, repeats=20, test_fraction=0.2, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(got.splits, again.splits))  # same for every embedder


def test_many_recordings_give_distinct_random_splits():
    labels, groups = _synthetic_groups(recordings_per_class=12)
    got = splits.repeated_splits(labels, groups, repeats=10, test_fraction=0.2, seed=0)
    assert not got.exhaustive and got.distinct == 10
    assert len({tuple(np.unique(groups[test])) for _, test in got.splits}) == 10


def test_few_recordings_are_enumerated_exhaustively():
    """3 recordings per class, test fraction 0.2: one recording of each class, 3 x 3 = 9 splits."""
    labels, groups = _synthetic_groups(recordings_per_class=3)
    got = splits.repeated_splits(labels, groups, repeats=10, test_fraction=0.2, seed=0)
    assert got.exhaustive and got.distinct == 9
    sides = {tuple(np.unique(groups[test])) for _, test in got.splits}
    assert len(sides) == 9 and all(len(s) == 2 for s in sides)


def test_a_class_in_one_recording_is_an_error_that_names_it(marrs_all):
    with pytest.raises(ValueError, match=r"single group: \['grunt'\]"):
        splits.grouped_split(marrs_all.label.to_numpy(), marrs_all.group.to_numpy(), 0.2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"single group: \['grunt'\]"):
        splits.repeated_splits(marrs_all.label.to_numpy(), marrs_all.group.to_numpy(), 5, 0.2, 0)


def test_scores_match_sklearn():
    rng = np.random.default_rng(0)
    classes = np.array(["a", "b", "c"])
    y = rng.choice(classes, 60)
    proba = rng.dirichlet(np.ones(3), 60)
    pred = classes[proba.argmax(1)]
    got = probes.classification_scores(y, pred, proba, classes)
    assert got["test_f1"] == pytest.approx(f1_score(y, pred, average="weighted"))
    assert got["macro_f1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert got["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert got["roc_auc"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    assert got["f1[b]"] == pytest.approx(f1_score(y == "b", pred == "b"))
    y2, p2 = np.array(["x", "y", "y", "x"]), np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    binary = probes.classification_scores(y2, np.array(["x", "y", "x", "y"]), p2, np.array(["x", "y"]))
    assert binary["roc_auc"] == pytest.approx(0.75)  # 3 of 4 (y, x) pairs ranked right


def test_corrected_interval_formula():
    values = np.array([0.7, 0.8, 0.75, 0.9, 0.85])
    mean, low, high = rstats.corrected_interval(values, test_train_ratio=0.25)
    half = stats.t.ppf(0.975, 4) * np.sqrt(values.var(ddof=1) * (1 / 5 + 0.25))
    assert (mean, low, high) == pytest.approx((0.8, 0.8 - half, 0.8 + half))
    naive = stats.t.interval(0.95, 4, loc=0.8, scale=stats.sem(values))
    assert high - low > naive[1] - naive[0]  # wider than the naive interval


@pytest.mark.parametrize("values", [[0.0, 0.2, 1.0, 0.9, 0.1], [1.0, 1.0, 0.95, 1.0], [0.0, 0.0, 0.1],
                                    [0.5, 0.52, 0.48, 0.51]])
def test_bounded_interval_stays_inside_the_range_and_holds_the_mean(values):
    mean, low, high = rstats.bounded_interval(values, test_train_ratio=0.25)
    assert 0.0 <= low <= mean <= high <= 1.0
    assert mean == pytest.approx(np.mean(values))
    _, t_low, t_high = rstats.corrected_interval(values, 0.25)
    assert (low, high) == pytest.approx((max(t_low, 0), min(t_high, 1)))  # the t interval, inside the range
    d_mean, d_low, d_high = rstats.bounded_interval(np.array(values) - 0.5, 0.25, bounds=(-1.0, 1.0))
    assert -1.0 <= d_low <= d_mean <= d_high <= 1.0


def test_holm_adjustment():
    adjusted = rstats.holm([0.01, 0.04, 0.03, np.nan, 0.005])
    # sorted 0.005, 0.01, 0.03, 0.04 with m = 4: 0.02, 0.03, 0.06, 0.06 (monotone)
    assert adjusted[[4, 0, 2, 1]] == pytest.approx([0.02, 0.03, 0.06, 0.06])
    assert np.isnan(adjusted[3])


def test_corrected_p_value_matches_its_interval():
    d = np.array([0.1, 0.12, 0.08, 0.11, 0.09])
    p = rstats.corrected_p_value(d, 0.25)
    _, low, _ = rstats.corrected_interval(d, 0.25)
    assert (p < 0.05) == (low > 0)


def _table(marrs_manifest, dim=8, signal=3.0, seed=0):
    rng = np.random.default_rng(seed)
    codes = pd.factorize(marrs_manifest["label"])[0]
    x = rng.standard_normal((len(codes), dim)) + signal * np.eye(dim)[codes]
    cols = pd.DataFrame(x, columns=[f"e{i:04d}" for i in range(dim)])
    return pd.concat([marrs_manifest.reset_index(drop=True), cols], axis=1)


CFG = {"grouped": {"repeats": 5, "test_fraction": 0.2, "seed": 0}, "rf": {"n_estimators": 20},
       "logreg": {"C": 1.0, "max_iter": 500}, "fewshot": {"shots": [1, 2, 4, 100]}}


def test_probes_separate_signal_from_noise(marrs_manifest):
    good, _ = probes.run_probe(_table(marrs_manifest), "logreg", CFG | {"embedder": "good"})
    noise, confusion = probes.run_probe(_table(marrs_manifest, signal=0.0), "rf", CFG | {"embedder": "noise"})
    assert list(good.columns) == probes.COLUMNS and set(good.protocol) == {"logreg_grouped"}
    macro = lambda t: t[t.metric == "macro_f1"].value.mean()  # noqa: E731
    assert macro(good) > 0.9 and macro(noise) < 0.7
    assert np.array(confusion["matrix"]).sum() == good[good.metric == "n_test"].value.sum()
    both = pd.concat([good, noise.assign(protocol="logreg_grouped")])
    diff = probes.paired_differences(both).iloc[0]
    assert diff.embedder_a == "good" and diff.mean_diff > 0.2 and diff.distinguishable
    assert -1 <= diff.ci_low <= diff.mean_diff <= diff.ci_high <= 1
    assert diff.p_holm >= diff.p_value and diff.grouping == "recording" and diff.splits == good.splits.iloc[0]


def test_few_shot_scores_every_k_on_the_same_splits(marrs_manifest):
    rows, confusion = probes.run_probe(_table(marrs_manifest), "fewshot", CFG | {"embedder": "e"})
    assert confusion is None
    scored = rows[rows.protocol.str.startswith("fewshot_k")]
    ks = set(scored.protocol)
    assert "fewshot_k100" not in ks and {"fewshot_k1", "fewshot_k2"} <= ks  # 100 > clips of a class: left out
    repeats = scored.groupby("protocol")["repeat"].apply(lambda r: tuple(sorted(set(r))))
    assert repeats.nunique() == 1 and len(repeats.iloc[0]) == rows.splits.iloc[0]  # same splits for every k
    assert set(scored.metric) == {"macro_f1", "roc_auc"}
    summary = probes.summarise(rows)
    k = summary[(summary.protocol == "fewshot_k2") & (summary.metric == "roc_auc")].iloc[0]
    assert 0 <= k.ci_low <= k["mean"] <= k.ci_high <= 1 and k.grouping == "recording"


def test_surfperch_table_averages_roc_auc_over_4_to_32_shots():
    rows = []
    for emb, base in (("a", 0.8), ("b", 0.6)):
        for ds in ("test_x", "test_y"):
            for k, bump in ((2, -0.5), (4, 0.0), (8, 0.02), (16, 0.04), (32, 0.06)):
                rows.append(dict(embedder=emb, dataset=ds, protocol=f"fewshot_k{k}", metric="roc_auc",
                                 mean=base + bump))
    rows.append(dict(embedder="a", dataset="test_x", protocol="fewshot_k4", metric="macro_f1", mean=0.1))
    table = probes.surfperch_table(pd.DataFrame(rows)).set_index("embedder")
    assert table.loc["a", "test_x"] == pytest.approx(0.83) and table.loc["b", "mean"] == pytest.approx(0.63)
    assert table.loc["shots_used", "test_y"] == "4 8 16 32"  # k=2 is not part of the protocol
