"""Grouped splits, probe metrics, few-shot draws and the corrected intervals."""

import numpy as np
import pandas as pd
import pytest
from helpers import REPO, dataset_spec
from reefclr import ingest, probes
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


def test_no_recording_on_both_sides_of_real_manifests(marrs_manifest):
    labels, groups = marrs_manifest["label"].to_numpy(), marrs_manifest["group"].to_numpy()
    splits = probes.repeated_splits(labels, groups, repeats=20, test_fraction=0.2, seed=0)
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
        assert set(labels[train]) == set(labels[test]) == set(labels)  # every class on both sides
        assert len(train) + len(test) == len(labels)
    assert len({tuple(test) for _, test in splits}) > 5  # repeats differ
    again = probes.repeated_splits(labels, groups, repeats=20, test_fraction=0.2, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again))  # same splits for every embedder


def test_a_class_in_one_recording_is_an_error_that_names_it(marrs_all):
    with pytest.raises(ValueError, match=r"single recording: \['grunt'\]"):
        probes.grouped_split(marrs_all.label.to_numpy(), marrs_all.group.to_numpy(), 0.2, np.random.default_rng(0))


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
    mean, low, high = probes.corrected_interval(values, test_train_ratio=0.25)
    half = stats.t.ppf(0.975, 4) * np.sqrt(values.var(ddof=1) * (1 / 5 + 0.25))
    assert (mean, low, high) == pytest.approx((0.8, 0.8 - half, 0.8 + half))
    naive = stats.t.interval(0.95, 4, loc=0.8, scale=stats.sem(values))
    assert high - low > naive[1] - naive[0]  # wider than the naive interval


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


def test_few_shot_draws_k_per_class(marrs_manifest):
    rows, confusion = probes.run_probe(_table(marrs_manifest), "fewshot", CFG | {"embedder": "e"})
    assert confusion is None
    assert set(rows.protocol) == {"fewshot_k1", "fewshot_k2", "fewshot_k4"}  # 100 > clips of a class: left out
    per_k = rows.protocol.value_counts()
    assert per_k["fewshot_k1"] == per_k["fewshot_k2"] == 5  # one draw per split
    assert per_k["fewshot_k4"] < 5  # splits whose training side holds 3 croak clips leave k=4 out
    summary = probes.summarise(pd.concat([rows, probes.run_probe(_table(marrs_manifest), "rf",
                                                                 CFG | {"embedder": "e"})[0]]))
    k = summary[summary.protocol.str.startswith("fewshot")].set_index("protocol")["mean"]
    assert k["fewshot_k4"] >= k["fewshot_k1"] - 0.1
