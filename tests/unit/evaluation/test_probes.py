"""reefclr.evaluation.probes: scores against scikit-learn, probes on grouped splits, few-shot, paired differences."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

from helpers import REPO, dataset_spec, defaults, segment
from reefclr.data import ingest
from reefclr.evaluation import probes


MARRS = REPO / "tests/data/marrs_sonotypes"


@pytest.fixture(scope="module")
def marrs_all():
    """Real MARRS recordings, a folder per sound type: croak 2 files, grunt 1, scrape 3."""
    spec = dataset_spec(id="test_marrs", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    seg = segment(tail="pad")
    return ingest.build_manifest(spec, MARRS, seg)[0]


@pytest.fixture(scope="module")
def marrs_manifest(marrs_all):
    """The sound types recorded in at least two files."""
    return marrs_all[marrs_all.label != "grunt"].reset_index(drop=True)


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


def _table(marrs_manifest, dim=8, signal=3.0, seed=0):
    rng = np.random.default_rng(seed)
    codes = pd.factorize(marrs_manifest["label"])[0]
    x = rng.standard_normal((len(codes), dim)) + signal * np.eye(dim)[codes]
    cols = pd.DataFrame(x, columns=[f"e{i:04d}" for i in range(dim)])
    return pd.concat([marrs_manifest.reset_index(drop=True), cols], axis=1)


EV = defaults(evaluation={"grouped": {"repeats": 5}, "rf": {"n_estimators": 20}, "logreg": {"max_iter": 500},
                          "fewshot": {"shots": [1, 2, 4, 100]}}).evaluation


def test_probes_separate_signal_from_noise(marrs_manifest):
    good, _ = probes.run_probe(_table(marrs_manifest), "logreg", EV, "good")
    noise, confusion = probes.run_probe(_table(marrs_manifest, signal=0.0), "rf", EV, "noise")
    assert list(good.columns) == probes.COLUMNS and set(good.protocol) == {"logreg_grouped"}
    macro = lambda t: t[t.metric == "macro_f1"].value.mean()  # noqa: E731
    assert macro(good) > 0.9 and macro(noise) < 0.7
    assert np.array(confusion["matrix"]).sum() == good[good.metric == "n_test"].value.sum()
    both = pd.concat([good, noise.assign(protocol="logreg_grouped")])
    diff = probes.paired_differences(both).iloc[0]
    assert diff.embedder_a == "good" and diff.mean_diff > 0.2 and diff.p_value < 0.1
    assert -1 <= diff.ci_low <= diff.mean_diff <= diff.ci_high <= 1
    assert diff.p_holm >= diff.p_value and diff.grouping == "recording" and diff.splits == good.splits.iloc[0]
    # 5 recordings, croak in 2 of them: the variance over recordings is large, and the verdict is marked
    assert (diff.groups, diff.class_groups, diff.reliable) == (5, 2, False)
    assert diff.method == "corrected t + group jackknife"


def test_few_shot_scores_every_k_on_the_same_splits(marrs_manifest):
    rows, confusion = probes.run_probe(_table(marrs_manifest), "fewshot", EV, "e")
    assert confusion is None
    scored = rows[rows.protocol.str.startswith("fewshot_k") & ~rows.metric.isin(probes.FACTS)
                  & ~rows.metric.str.startswith("loo:")]
    ks = set(scored.protocol)
    assert "fewshot_k100" not in ks and {"fewshot_k1", "fewshot_k2"} <= ks  # 100 > clips of a class: left out
    repeats = scored.groupby("protocol")["repeat"].apply(lambda r: tuple(sorted(set(r))))
    assert repeats.nunique() == 1 and len(repeats.iloc[0]) == rows.splits.iloc[0]  # same splits for every k
    assert set(scored.metric) == {"macro_f1", "roc_auc"}
    summary = probes.summarise(rows)
    k = summary[(summary.protocol == "fewshot_k2") & (summary.metric == "roc_auc")].iloc[0]
    assert 0 <= k.ci_low <= k["mean"] <= k.ci_high <= 1 and k.grouping == "recording"
    assert k.method == "corrected t (coverage not measured)"  # no jackknife of a ranking score
    f1 = summary[(summary.protocol == "fewshot_k2") & (summary.metric == "macro_f1")].iloc[0]
    assert f1.method == "corrected t + group jackknife" and f1.groups == 5
    loo = rows[(rows.protocol == "fewshot_k2") & (rows.metric == "loo:macro_f1")]
    assert len(loo) == 5  # one per recording left out


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
