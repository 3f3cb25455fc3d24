"""The study's evaluation of one embedder on one test set.

Random forest: ``RandomForestClassifier(random_state=0)`` on an 80/20 split stratified by
label (``random_state=0``); weighted accuracy, precision, recall and F1 on train and test.
Clustering: UMAP to 10-D -> affinity propagation -> chi-square test of independence on the
cluster x class table, as the study did. Beside it: whether the chi-square approximation
holds (Cochran's rule: no expected count below 1, at most 20% below 5), a permutation
p-value that needs no approximation, and scores that do not grow with the number of
clips or clusters: bias-corrected Cramer's V (Bergsma 2013), AMI, ARI, homogeneity,
completeness. The plain Cramer's V grows with the number of clusters under no
association (about sqrt((K-1)/n)), so it is kept only for comparison.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import AffinityPropagation
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, homogeneity_completeness_v_measure
from sklearn.model_selection import train_test_split

from reefclr.evaluation.metrics import weighted_scores
from reefclr.evaluation.splits import stratified_subsample
from reefclr.settings import Cluster, RandomForest, Umap, Umap2d

log = logging.getLogger(__name__)


ORDERS = ("dataset", "ctdataset")


def study_order(table: pd.DataFrame, order: str = "dataset") -> pd.DataFrame:
    """Rows in the order the study's code read them (its seeded split and clustering depend on it).

    dataset: the dataset's own order (``entry``: position in dataset.json; the study's VGGish
    rows). ctdataset: the study's ``CTDataset_test`` (ReefCLR and ImageNet rows): the clips
    grouped by class, classes in order of first appearance, dataset order within a class,
    then shuffled by ``np.random.seed(0); np.random.shuffle``.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown study order {order!r}; known: {', '.join(ORDERS)}")
    if "entry" not in table.columns:
        return table
    rows = table.sort_values("entry", kind="stable").reset_index(drop=True)
    if order == "dataset":
        return rows
    first_seen = rows.groupby("label", sort=False).ngroup().to_numpy()
    rows = rows.iloc[np.argsort(first_seen, kind="stable")].reset_index(drop=True)
    shuffled = np.arange(len(rows))
    np.random.RandomState(0).shuffle(shuffled)  # the legacy global generator the study seeded
    return rows.iloc[shuffled].reset_index(drop=True)


def label_codes(labels, class_order: tuple[str, ...] | None) -> np.ndarray:
    """Integer labels as the study's tables hold them: class_order[i] -> i; None: names sorted.

    The study numbered classes by ``enumerate(set(names))``, an order that depends on
    Python's hash seed; the codes decide which clips a stratified split draws."""
    labels = np.asarray(labels).astype(str)
    names = sorted(set(labels)) if class_order is None else list(class_order)
    missing = sorted(str(x) for x in set(labels) - set(names))
    if missing:
        raise ValueError(f"evaluation.study.class_order {names} leaves out classes {missing}")
    codes = {name: i for i, name in enumerate(names)}
    return np.array([codes[x] for x in labels], dtype=np.int64)


def random_forest(x: np.ndarray, y: np.ndarray, cfg: RandomForest, n_jobs: int = 1) -> dict:
    """The study's RF protocol; returns train_* and test_* scores and split sizes."""
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=cfg.test_size, stratify=y,
                                              random_state=cfg.random_state)
    rf = RandomForestClassifier(n_estimators=cfg.n_estimators, random_state=cfg.random_state, n_jobs=n_jobs)
    rf.fit(x_tr, y_tr)
    out = {f"test_{k}": v for k, v in weighted_scores(y_te, rf.predict(x_te)).items()}
    out |= {f"train_{k}": v for k, v in weighted_scores(y_tr, rf.predict(x_tr)).items()}
    return out | {"n_train": len(y_tr), "n_test": len(y_te), "n_classes": len(np.unique(y))}


def import_umap():
    """umap-learn, without the TensorFlow it imports for ParametricUMAP when TF is installed:
    numba's LLVM loaded before TensorFlow's segfaults the process (TF 2.21, numba 0.68). The
    workflow uses plain UMAP only. Its numba functions (and pynndescent's) are compiled once and
    kept in numba's on-disk cache (``NUMBA_CACHE_DIR``, set by the workflow): compiling them
    takes about 11 s in every new process otherwise, loading them 0.4 s."""
    import sys

    if "umap" not in sys.modules and "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # `import tensorflow` raises ImportError inside umap
        try:
            import umap  # noqa: F401
        finally:
            del sys.modules["tensorflow"]
        _cache_compiled(("umap", "pynndescent"))
    import umap

    return umap


def _cache_compiled(packages: tuple[str, ...]) -> int:
    """Turn on numba's on-disk cache for every compiled function of ``packages``; how many."""
    import sys

    from numba.core.registry import CPUDispatcher

    count = 0
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(packages):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher):
                value.enable_caching()
                count += 1
    return count


def umap_embed(x: np.ndarray, cfg: Umap | Umap2d) -> np.ndarray:
    """UMAP with n_neighbors capped below the number of points (logged)."""
    umap = import_umap()

    n_neighbors = cfg.n_neighbors
    if n_neighbors >= len(x):
        log.warning("n_neighbors %d >= %d points; using %d", n_neighbors, len(x), len(x) - 1)
        n_neighbors = len(x) - 1
    reducer = umap.UMAP(n_components=cfg.n_components, n_neighbors=n_neighbors, min_dist=cfg.min_dist,
                        metric=cfg.metric, random_state=cfg.random_state)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="n_jobs value .* overridden")
        return reducer.fit_transform(x).astype(np.float32)


def cramers_v(table: np.ndarray, chi2: float) -> float:
    """Cramer's V = sqrt(chi2 / (n * (min(rows, cols) - 1)))."""
    n = table.sum()
    k = min(table.shape) - 1
    return float(np.sqrt(chi2 / (n * k))) if n > 0 and k > 0 else 0.0


def cramers_v_corrected(table: np.ndarray, chi2: float) -> float:
    """Bergsma's bias-corrected Cramer's V (J. Korean Stat. Soc. 42, 2013): about 0 under no
    association whatever the number of clusters."""
    n = float(table.sum())
    r, k = table.shape
    if n < 2 or min(r, k) < 2:
        return 0.0
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    r_c, k_c = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    denom = min(r_c - 1, k_c - 1)
    return float(np.sqrt(phi2 / denom)) if denom > 0 else 0.0


def expected_count_check(table: np.ndarray) -> dict:
    """Cochran's rule for the chi-square approximation: share of expected counts below 5, the
    smallest expected count, and whether the approximation is valid."""
    n = table.sum()
    expected = np.outer(table.sum(1), table.sum(0)) / n if n else np.zeros_like(table, dtype=float)
    below5 = float((expected < 5).mean()) if expected.size else 1.0
    smallest = float(expected.min()) if expected.size else 0.0
    return dict(expected_below_5=below5, expected_min=smallest, chi2_valid=bool(below5 <= 0.2 and smallest >= 1))


def _chi2_stat(clusters: np.ndarray, y: np.ndarray, n_clusters: int, n_classes: int) -> float:
    table = np.bincount(clusters * n_classes + y, minlength=n_clusters * n_classes).reshape(n_clusters, n_classes)
    expected = np.outer(table.sum(1), table.sum(0)) / len(y)
    return float(((table - expected) ** 2 / expected).sum())


def _shuffler(k: np.ndarray, groups: np.ndarray | None):
    """A draw of labels under no association that keeps what clips of one group share: each
    group's class moves with the group when every group holds one class (recordings, sites),
    labels are permuted within groups otherwise; clip by clip without groups."""
    if groups is None:
        return lambda rng: rng.permutation(k)
    g = np.unique(groups, return_inverse=True)[1]
    per_group = np.zeros((g.max() + 1, k.max() + 1), dtype=np.int64)
    np.add.at(per_group, (g, k), 1)
    if ((per_group > 0).sum(1) == 1).all():
        group_class = per_group.argmax(1)
        return lambda rng: rng.permutation(group_class)[g]
    order = np.argsort(g, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(g[order]) != 0, True])

    def within(rng):
        out = k.copy()
        for a, b in zip(starts[:-1], starts[1:]):
            out[order[a:b]] = rng.permutation(k[order[a:b]])
        return out

    return within


def permutation_p_value(clusters: np.ndarray, y: np.ndarray, permutations: int, seed: int,
                        groups: np.ndarray | None = None) -> float:
    """Monte-Carlo p of the chi-square statistic under permuted labels, (1 + #{>= observed}) /
    (1 + B); with ``groups``, whole groups are permuted (clips of one recording share a label)."""
    if permutations <= 0:
        return float("nan")
    c = np.unique(clusters, return_inverse=True)[1]
    k = np.unique(y, return_inverse=True)[1]
    nc, nk = c.max() + 1, k.max() + 1
    if nc < 2 or nk < 2:
        return 1.0
    observed = _chi2_stat(c, k, nc, nk)
    draw = _shuffler(k, groups)
    rng = np.random.default_rng(seed)
    hits = sum(_chi2_stat(c, draw(rng), nc, nk) >= observed - 1e-9 for _ in range(permutations))
    return float((1 + hits) / (1 + permutations))


def cluster_assignments(x: np.ndarray, y: np.ndarray, cfg: Cluster) -> tuple[np.ndarray, np.ndarray, bool]:
    """UMAP -> affinity propagation: (positions clustered, their clusters, converged). Above
    ``max_points`` clips, a class-stratified subsample is clustered."""
    keep = np.arange(len(y))
    if len(y) > cfg.max_points:
        keep = stratified_subsample(y, cfg.max_points, cfg.random_state)
        log.warning("clustering a class-stratified subsample of %d of %d clips (evaluation.cluster.max_points)",
                    len(keep), len(y))
    reduced = umap_embed(x[keep], cfg.umap)
    ap = AffinityPropagation(damping=cfg.damping, max_iter=cfg.max_iter, random_state=cfg.random_state)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clusters = ap.fit_predict(reduced)
    return keep, clusters, not any("did not converge" in str(w.message) for w in caught)


def cluster_scores(x: np.ndarray, y: np.ndarray, cfg: Cluster, assigned: tuple | None = None,
                   groups: np.ndarray | None = None) -> dict:
    """Chi-square, Cramer's V, AMI, ARI, homogeneity, completeness of the clusters
    (``assigned``: the output of ``cluster_assignments``, computed when not given). The
    chi-square is the study's (``chi2_contingency``: Yates-corrected on 2 x 2 tables); both
    V's are from the uncorrected statistic. ``groups`` (one per clip) makes the permutation
    test permute whole groups."""
    from scipy.stats import chi2_contingency

    n_total = len(y)
    keep, clusters, converged = assigned if assigned is not None else cluster_assignments(x, y, cfg)
    y = y[keep]
    groups = None if groups is None else np.asarray(groups).astype(str)[keep]
    table = pd.crosstab(clusters, y).to_numpy()
    n_clusters = len(np.unique(clusters))
    if table.shape[0] > 1 and table.shape[1] > 1:
        chi2, p, dof, _ = chi2_contingency(table)
        plain = float(chi2_contingency(table, correction=False)[0])
    else:
        chi2, p, dof, plain = 0.0, 1.0, 0, 0.0
    homogeneity, completeness, _ = homogeneity_completeness_v_measure(y, clusters)
    return dict(num_clusters=n_clusters, chi2_stat=float(chi2), p_value=float(p), dof=int(dof),
                p_permutation=permutation_p_value(clusters, y, cfg.permutations, cfg.random_state, groups),
                **expected_count_check(table), cramers_v=cramers_v(table, plain),
                cramers_v_corrected=cramers_v_corrected(table, plain),
                ami=float(adjusted_mutual_info_score(y, clusters)),
                ari=float(adjusted_rand_score(y, clusters)), homogeneity=float(homogeneity),
                completeness=float(completeness), converged=converged, n_points=len(y), n_clips=n_total)
