"""reefclr.evaluation.study: the study's random forest and clustering scores, against scikit-learn and scipy."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from helpers import REPO, defaults
from reefclr.evaluation import splits, study


EV = defaults(evaluation={"rf": {"n_estimators": 50}, "cluster": {
    "umap": {"n_components": 5, "n_neighbors": 15}, "permutations": 99}}).evaluation


RF, CLUSTER = EV.rf, EV.cluster


def blobs(n_per=40, sep=6.0, seed=0):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.standard_normal((n_per, 8)) + sep * k for k in range(3)]).astype(np.float32)
    y = np.repeat(["a", "b", "c"], n_per)
    return x, y


def test_random_forest_is_the_study_protocol():
    x, y = blobs(sep=0.7)
    scores = study.random_forest(x, y, RF)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    rf = RandomForestClassifier(n_estimators=50, random_state=0).fit(x_tr, y_tr)
    assert scores["test_f1"] == pytest.approx(f1_score(y_te, rf.predict(x_te), average="weighted"))
    assert (scores["n_train"], scores["n_test"], scores["n_classes"]) == (96, 24, 3)
    assert study.random_forest(x, y, RF) == scores  # deterministic


def test_cramers_v_against_chi2():
    table = np.array([[10, 0], [0, 10], [5, 5]])
    chi2 = chi2_contingency(table)[0]
    assert study.cramers_v(table, chi2) == pytest.approx(np.sqrt(chi2 / (30 * 1)))
    assert study.cramers_v(np.array([[10, 0], [0, 10]]), chi2_contingency(np.array([[10, 0], [0, 10]]),
                                                                            correction=False)[0]) == pytest.approx(1)


def test_cluster_scores_on_separable_blobs():
    x, y = blobs()
    scores = study.cluster_scores(x, y, CLUSTER)
    assert scores["num_clusters"] >= 3 and scores["p_value"] < 1e-10
    assert scores["ami"] > 0.5 and 0 < scores["cramers_v"] <= 1
    assert scores["homogeneity"] > 0.9  # each cluster holds one class (blobs far apart)
    assert scores["n_points"] == scores["n_clips"] == 120


def test_large_sets_are_clustered_on_a_stratified_subsample(caplog):
    x, y = blobs(n_per=100)
    scores = study.cluster_scores(x, y, replace(CLUSTER, max_points=150))
    assert scores["n_clips"] == 300 and scores["n_points"] == 150
    assert "subsample of 150 of 300 clips" in caplog.text
    keep = splits.stratified_subsample(np.array(["a"] * 90 + ["b"] * 10), 20, 0)
    assert len(keep) == 20 and (keep >= 90).sum() == 2  # each class in its proportion


def test_umap_caps_neighbours_for_small_sets():
    x, _ = blobs(n_per=5)
    out = study.umap_embed(x, replace(CLUSTER.umap, n_neighbors=50, n_components=2))
    assert out.shape == (15, 2) and np.isfinite(out).all()


def test_umap_runs_beside_an_installed_tensorflow():
    """umap-learn would import TensorFlow (ParametricUMAP) after numba and crash the process."""
    import subprocess
    import sys

    code = ("import numpy as np; from reefclr.evaluation import study; from reefclr.settings import Umap; "
            "x = np.random.default_rng(0).standard_normal((60, 8)).astype('float32'); "
            "print(study.umap_embed(x, Umap(n_components=2, n_neighbors=10, min_dist=0.1, metric='euclidean', "
            "random_state=0)).shape)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(REPO / "workflow_scripts"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert "(60, 2)" in out.stdout


def test_cluster_statistics_beside_the_studys_chi_square():
    x, y = blobs()
    scores = study.cluster_scores(x, y, CLUSTER)
    assert scores["p_permutation"] == pytest.approx(1 / 100)  # no shuffle reaches the observed statistic
    assert 0 < scores["cramers_v_corrected"] <= scores["cramers_v"] <= 1
    assert set(scores) >= {"chi2_valid", "expected_below_5", "expected_min"}


def test_corrected_cramers_v_is_near_zero_under_no_association_whatever_the_clusters():
    """The plain V grows like sqrt((K-1)/n) with K clusters unrelated to the classes."""
    from scipy.stats import chi2_contingency

    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    for k in (5, 40):
        clusters = rng.integers(0, k, n)
        table = pd.crosstab(clusters, y).to_numpy()
        chi2 = chi2_contingency(table)[0]
        plain, corrected = study.cramers_v(table, chi2), study.cramers_v_corrected(table, chi2)
        assert corrected < 0.15
        if k == 40:
            assert plain > 0.25 and plain > 2 * corrected  # the plain V mistakes 40 random clusters for association
    check = study.expected_count_check(table)
    assert not check["chi2_valid"] and check["expected_below_5"] > 0.2  # 40 clusters x 2 classes on 400 clips


def test_permutation_p_value_is_uniform_ish_under_no_association():
    rng = np.random.default_rng(1)
    y, clusters = rng.integers(0, 3, 300), rng.integers(0, 6, 300)
    assert study.permutation_p_value(clusters, y, 199, 0) > 0.05


# --- the study's clip order and class codes ------------------------------------------------
# A transcription of the study's CTDataset_test.__init__ (evaluation/my_custom_dataset_eval.py
# at 84f17e7, lines 176-222) with train_percent=0.0, as its ReefCLR and ImageNet extractors
# called it; run in a fresh interpreter per hash seed, since its class codes come from a set.
CTDATASET_TEST = r'''
import json, sys
import numpy as np
json_data = json.load(open(sys.argv[1]))
split, dataset, train_percent = "test_data", sys.argv[2], 0.0
data = []
filtered_audio = [entry for entry in json_data['audio'] if entry["data_type"] == split and entry["dataset"] == dataset]
json_data['audio'] = filtered_audio
class_labels = set([obj['class'] for obj in json_data['audio']])
class_map = {class_label: i for i, class_label in enumerate(class_labels)}
for sublist in json_data.values():
    for entry in sublist:
        path = entry["file_name"]
        label = class_map[entry["class"]]
        data.append([path, label])
data_by_class = {}
for path, label in data:
    if label not in data_by_class:
        data_by_class[label] = []
    data_by_class[label].append([path, label])
train_data = []
test_data = []
for label, entries in data_by_class.items():
    n_train = int(len(entries) * train_percent)
    train_data.extend(entries[:n_train])
    test_data.extend(entries[n_train:])
np.random.seed(0)
np.random.shuffle(test_data)
print(json.dumps({"class_map": class_map, "data": test_data}))
'''


def _study_fixture(root, classes, n=23):
    """A study-format dataset.json: classes interleaved out of name order, other data types
    and datasets between the entries, one 1.92 s clip per entry."""
    import json as _json

    from helpers import write_tone

    rng = np.random.default_rng(3)
    entries = []
    for i in range(n):
        name = f"clips/test_data.bermuda.{classes[rng.integers(len(classes))]}.site{i % 4}.{i:04d}.wav"
        write_tone(root / name, seconds=1.92, freq=150 + 10 * i, seed=i)
        entries.append({"file_name": name, "class": name.split(".")[2], "data_type": "test_data",
                        "dataset": "test_bermuda"})
        if i % 5 == 0:
            entries.append({"file_name": f"clips/other{i}.wav", "class": "x", "data_type": "test_data",
                            "dataset": "test_kenya"})
            entries.append({"file_name": f"clips/pre{i}.wav", "class": "", "data_type": "train_data",
                            "dataset": "pretrain"})
    (root / "dataset.json").write_text(_json.dumps({"audio": entries}))


def test_ctdataset_order_and_codes_are_the_studys(tmp_path):
    import json as _json
    import os
    import subprocess
    import sys

    from helpers import dataset_spec, segment
    from reefclr.data import ingest

    classes = ["class3", "class0", "class6", "class1", "class5", "class2", "class4"]
    _study_fixture(tmp_path, classes)
    spec = dataset_spec(id="test_bermuda", role="test", format="dataset_json", path="dataset.json",
                        data_type="test_data", dataset="test_bermuda")
    manifest, _ = ingest.build_manifest(spec, tmp_path, segment(tail="drop"))
    script = tmp_path / "ctdataset.py"
    script.write_text(CTDATASET_TEST)
    maps = set()
    for seed in range(6):
        out = subprocess.run([sys.executable, str(script), str(tmp_path / "dataset.json"), "test_bermuda"],
                             env=os.environ | {"PYTHONHASHSEED": str(seed)}, capture_output=True, text=True,
                             check=True)
        theirs = _json.loads(out.stdout)
        class_order = tuple(sorted(theirs["class_map"], key=theirs["class_map"].get))
        maps.add(class_order)
        ours = study.study_order(manifest.sample(frac=1, random_state=seed), "ctdataset")
        assert ours["source"].tolist() == [path for path, _ in theirs["data"]]
        assert study.label_codes(ours["label"], class_order).tolist() == [code for _, code in theirs["data"]]
    assert len(maps) > 1  # the study's codes depend on the hash seed: the ambiguity is real


def test_dataset_order_is_dataset_json_and_codes_default_to_sorted_names():
    table = pd.DataFrame({"entry": [2, 0, 1], "label": ["b", "a", "b"], "source": ["z", "x", "y"]})
    assert study.study_order(table, "dataset")["source"].tolist() == ["x", "y", "z"]
    assert study.label_codes(["b", "a", "c"], None).tolist() == [1, 0, 2]
    with pytest.raises(ValueError, match=r"leaves out classes \['c'\]"):
        study.label_codes(["b", "a", "c"], ("b", "a"))
    with pytest.raises(ValueError, match="unknown study order 'random'"):
        study.study_order(table, "random")


def test_permutation_test_permutes_whole_recordings():
    """Clusters that follow recordings, not classes: a clip-level shuffle calls the
    association significant; permuting whole recordings does not."""
    rng = np.random.default_rng(0)
    recordings = np.repeat(np.arange(8), 30)
    y = recordings % 2  # every recording is of one class; 4 recordings per class
    clusters = recordings.copy()  # each recording is its own cluster
    assert study.permutation_p_value(clusters, y, 199, 0) < 0.01
    assert study.permutation_p_value(clusters, y, 199, 0, groups=recordings.astype(str)) > 0.05
    mixed = rng.integers(0, 2, len(y))  # groups holding both classes: labels permuted within groups
    assert 0 < study.permutation_p_value(clusters, mixed, 99, 0, groups=recordings.astype(str)) <= 1


def test_cramers_v_on_a_2x2_table_uses_the_uncorrected_chi_square():
    x = np.zeros((40, 2), dtype=np.float32)
    y = np.array([0] * 20 + [1] * 20)
    clusters = np.array([0] * 15 + [1] * 5 + [0] * 5 + [1] * 15)
    assigned = (np.arange(40), clusters, True)
    scores = study.cluster_scores(x, y, CLUSTER, assigned)
    table = np.array([[15, 5], [5, 15]])
    assert scores["chi2_stat"] == pytest.approx(chi2_contingency(table)[0])  # the study's (Yates)
    plain = chi2_contingency(table, correction=False)[0]
    assert scores["cramers_v"] == pytest.approx(np.sqrt(plain / 40)) == pytest.approx(0.5)


@pytest.mark.slow
def test_umaps_compiled_functions_go_to_numbas_cache(tmp_path):
    """A UMAP in a fresh process leaves umap-learn's and pynndescent's compiled functions in
    NUMBA_CACHE_DIR, so the next process loads them instead of compiling (about 11 s each)."""
    import subprocess
    import sys
    import textwrap

    from helpers import REPO

    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO / "workflow_scripts")!r})
        import numpy as np
        from reefclr.evaluation import study
        umap = study.import_umap()
        umap.UMAP(n_components=2, random_state=0).fit_transform(np.random.default_rng(0).normal(size=(60, 8)))
        """)
    env = {"NUMBA_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    cached = {p.name.split("-")[0] for p in tmp_path.rglob("*.nbi")}
    assert {"layouts._optimize_layout_euclidean_single_epoch", "umap_.smooth_knn_dist",
            "umap_.compute_membership_strengths"} <= cached
