"""A real run of presets/ci.yaml: tables, figures, report, and what a change reruns."""

import json

import numpy as np
import pandas as pd
import pytest
from reefclr.deploy import density
from snakerun import REPO, planned_rules, snakemake
from PIL import Image

EMBEDDERS = ["ReefCLR", "RandomInit", "MelStats"]
LOCATIONS = ["australia", "bermuda", "florida", "french_polynesia", "indonesia", "kenya"]


def test_rf_table(finished):
    rf = pd.read_csv(finished / "results/tables/RF_results.csv")
    ref = pd.read_csv(REPO / "tests/data/reference/RF_results-20230831_005133.csv")
    assert list(rf.columns) == list(ref.columns) and list(rf.dtypes) == list(ref.dtypes)
    assert sorted(zip(rf.Embedding, rf.Location)) == sorted((e, loc) for e in EMBEDDERS for loc in LOCATIONS)
    metrics = rf.drop(columns=["Embedding", "Location"])
    assert ((metrics >= 0) & (metrics <= 1)).all().all()
    assert rf["Train F1"].min() > 0.5


def test_chisq_table(finished):
    chi = pd.read_csv(finished / "results/tables/chisq_results.csv")
    ref = pd.read_csv(REPO / "tests/data/reference/chisq_results-20230901_001119.csv")
    assert list(chi.columns) == list(ref.columns) and list(chi.dtypes) == list(ref.dtypes)
    assert len(chi) == len(EMBEDDERS) * len(LOCATIONS)
    assert (chi.Num_Clusters >= 1).all() and (chi.Chi2_Stat >= 0).all() and chi.P_Value.between(0, 1).all()


def test_long_table(finished):
    long = pd.read_parquet(finished / "results/tables/scores_long.parquet")
    assert list(long.columns) == ["embedder", "dataset", "protocol", "metric", "repeat", "value", "grouping"]
    assert set(long[long.protocol.isin(["rf", "cluster"])].grouping) == {"none"}  # the study's random split
    grouped = long[long.protocol == "rf_grouped"]
    assert set(grouped[grouped.dataset == "test_bermuda"].grouping) == {"pattern"}  # its group_pattern
    assert set(grouped[grouped.dataset != "test_bermuda"].grouping) == {"recording"}
    assert {"rf", "cluster", "rf_grouped", "logreg_grouped", "fewshot_k1"} <= set(long.protocol)
    assert {"test_f1", "cramers_v", "cramers_v_corrected", "p_permutation", "chi2_valid", "ami", "ari", "macro_f1",
            "balanced_accuracy", "roc_auc"} <= set(long.metric)
    splits = long[(long.protocol == "logreg_grouped") & ~long.metric.str.startswith("loo:")]
    assert set(splits.repeat) <= set(range(5))
    loo = long[long.metric == "loo:macro_f1"]  # the leave-one-group-out scores behind the intervals
    assert len(loo) and (loo.groupby(["embedder", "dataset", "protocol"]).repeat.nunique() >= 2).all()


def test_grouped_summary_and_paired_differences(finished):
    summary = pd.read_csv(finished / "results/tables/grouped_summary.csv")
    macro = summary[summary.metric == "macro_f1"]
    assert len(macro[macro.protocol == "rf_grouped"]) == 18
    shown = macro.dropna(subset=["ci_low"])  # no interval where every split scored the same
    assert len(shown) and ((shown.ci_low <= shown["mean"]) & (shown["mean"] <= shown.ci_high)).all()
    assert {"groups", "class_groups", "method", "reliable"} <= set(summary.columns)
    assert (macro.method == "corrected t + group jackknife").all() and (macro.groups >= 2).all()
    assert (summary.reliable == (summary.class_groups >= 3) & summary.ci_low.notna()
            & (summary.method == "corrected t + group jackknife")).all()
    bounded = summary.dropna(subset=["ci_low"])
    assert ((bounded.ci_low >= 0) & (bounded.ci_high <= 1)).all()  # inside the metric's range
    assert set(summary.grouping) == {"recording", "pattern"} and summary.splits.between(2, 5).all()
    # every few-shot k on the same splits: one count of repeats per test set and embedder
    few = summary[summary.protocol.str.startswith("fewshot_k")]
    assert (few.groupby(["embedder", "dataset"]).repeats.nunique() == 1).all()
    paired = pd.read_csv(finished / "results/tables/paired_differences.csv")
    assert len(paired[paired.protocol == "logreg_grouped"]) == 6 * 3  # 3 pairs per test set
    assert paired.distinguishable.dtype == bool and paired.distinguishable_holm.dtype == bool
    assert (paired.p_holm.dropna() >= paired.p_value.dropna()).all()
    assert ((paired.ci_low.dropna() >= -1) & (paired.ci_high.dropna() <= 1)).all()
    clusters = pd.read_csv(finished / "results/tables/cluster_scores.csv")
    assert len(clusters) == 18 and clusters.chi2_valid.dtype == bool and clusters.p_permutation.between(0, 1).all()
    surfperch = pd.read_csv(finished / "results/tables/fewshot_surfperch.csv")
    assert sorted(surfperch.embedder[:-1]) == sorted(EMBEDDERS) and surfperch.embedder.iloc[-1] == "shots_used"
    assert "mean" in surfperch.columns and surfperch["mean"][:-1].astype(float).between(0, 1).all()
    confusion = json.loads((finished / "results/tables/confusion_matrices.json").read_text())
    cm = confusion["reefclr"]["test_bermuda"]["rf_grouped"]
    assert len(cm["classes"]) == 7 and np.array(cm["matrix"]).shape == (7, 7)


@pytest.mark.parametrize("name", ["umap_grid.png", "test_f1.png", "chisq.png", "grouped_f1.png", "fewshot.png"])
def test_figures_are_not_blank(finished, name):
    img = np.asarray(Image.open(finished / "results/figures" / name).convert("L"), dtype=float)
    assert img.shape[0] > 200 and img.shape[1] > 300
    assert img.std() > 10 and (img < 128).mean() > 0.005  # ink on the page


def test_data_check_and_no_reproduction_claim_on_the_demo(finished):
    text = (finished / "results/data_check/summary.md").read_text()
    assert "## Leakage" in text and "grouping: recording" in text and "grouping: none" not in text
    assert not (finished / "results/figures/published_vs_reproduced.png").exists()
    html = (finished / "results/report.html").read_text(errors="ignore")
    assert "Synthetic demo data" in html


def test_training_outputs_and_report(finished):
    history = pd.read_csv(finished / "results/models/reefclr/train_log.csv")
    assert list(history.step) == list(range(1, 7)) and np.isfinite(history.loss).all()
    html = (finished / "results/report.html").read_text(errors="ignore")
    assert len(html) > 10_000 and "umap_grid.png" in html and "RF_results.csv" in html
    for log in ("pretrain_simclr/reefclr.log", "aggregate_tables/all.log"):
        assert (finished / "logs" / log).exists()


def test_nothing_to_do_after_the_run(finished):
    assert planned_rules(finished, "--configfile", "config.yaml", "presets/ci.yaml") == {}


def _override(wf, text):
    (wf / "change.yaml").write_text(text)
    return planned_rules(wf, "--configfile", "config.yaml", "presets/ci.yaml", "change.yaml")


# What every change of a score reruns below the scores: the tables, figures and results page.
TABLES = {"aggregate_tables": 1, "plot_figures": 1, "build_results_page": 1, "all": 1}
# What a change of a deployment's hits or detections reruns below them: the explorer's tab.
EXPLORER = {"deploy_media": 1, "build_explorer": 1, "all": 1}
# What new events of a sound (both review rounds of the ci preset) rerun below them: their scores
# against known events, the rounds side by side, the explorer and the results page.
DETECTED = {"score_events": 2, "summarize_rounds": 1, "build_results_page": 1} | EXPLORER
# What a new active-learning sample of round 0 reruns: its review, and round 1 from training on.
ROUND_1 = {"simulate_review": 2, "train_classifier": 1, "score_deploy": 1, "validation_sample": 1,
           "review_page": 2, "estimate_density": 1, "plot_calibration": 2}
RUNTIME_CHANGES = {
    "spectrogram.batch_size": "spectrogram:\n  batch_size: 7\n",
    "embed.batch_size": "embed:\n  batch_size: 5\n",
    "pretrain.workers": "pretrain:\n  workers: 1\n",
    "pretrain.compile": "pretrain:\n  compile: true\n",
    "pretrain.log_every": "pretrain:\n  log_every: 1\n",
    "pretrain.checkpoint_every": "pretrain:\n  checkpoint_every: 2\n",
    "pretrain.knn.every": "pretrain:\n  knn:\n    every: 1\n",
    "pretrain.min_rank": "pretrain:\n  min_rank: 1.01\n",
    "pretrain.max_hours": "pretrain:\n  max_hours: 2\n",
    "deploy.batch_size": "deploy:\n  batch_size: 17\n",
}


def test_every_runtime_setting_is_tested():
    """The runtime settings are the records' runtime fields (reefclr.settings), never a list kept by hand."""
    from reefclr.settings import Settings

    assert set(RUNTIME_CHANGES) == set(Settings.runtime_keys())


@pytest.mark.parametrize("setting", sorted(RUNTIME_CHANGES))
def test_runtime_setting_reruns_nothing(finished, setting):
    """Speed, memory and logging settings are read from the config, never rule params."""
    assert _override(finished, RUNTIME_CHANGES[setting]) == {}


def test_rf_change_reruns_only_rf_and_below(finished):
    counts = _override(finished, "evaluation:\n  rf:\n    n_estimators: 21\n")
    assert counts == {"fit_random_forest": 3, "probe_grouped": 3} | TABLES


def test_linear_probe_change_reruns_only_its_jobs_and_few_shot(finished):
    counts = _override(finished, "evaluation:\n  logreg:\n    C: 0.5\n")
    assert counts == {"probe_grouped": 6} | TABLES


def test_few_shot_change_reruns_only_few_shot(finished):
    counts = _override(finished, "evaluation:\n  fewshot:\n    shots: [1, 2]\n")
    assert counts == {"probe_grouped": 3, "check_plan": 1} | TABLES  # the plan warns of k no split affords


def test_split_change_reruns_every_grouped_probe(finished):
    counts = _override(finished, "evaluation:\n  grouped:\n    repeats: 6\n")
    assert counts == {"probe_grouped": 9} | TABLES


def test_figure_change_reruns_only_figures(finished):
    # the diel and density figures too; the detections' events are rewritten with them, so what
    # reads the events (their scores against known events, the explorer's tab) runs again
    expected = {"plot_figures": 1, "detect_events": 2, "estimate_density": 2, "plot_calibration": 2} | DETECTED
    assert _override(finished, "figures:\n  dpi: 100\n") == expected


def test_umap2d_change_reruns_only_umap2d_and_figures(finished):
    counts = _override(finished, "evaluation:\n  umap2d:\n    min_dist: 0.4\n")
    assert counts == {"embed_umap_2d": 3, "plot_figures": 1, "build_results_page": 1, "build_explorer": 1, "all": 1}


def test_clustering_change_reruns_only_clustering_and_below(finished):
    counts = _override(finished, "evaluation:\n  cluster:\n    damping: 0.8\n")
    assert counts == {"cluster_embeddings": 3, "build_explorer": 1} | TABLES


def test_study_order_change_reruns_only_that_embedders_rf_and_clustering(finished):
    counts = _override(finished, "evaluation:\n  study:\n    by_embedder: {mel_stats: ctdataset}\n")
    assert counts == {"fit_random_forest": 1, "cluster_embeddings": 1, "build_explorer": 1} | TABLES


def test_model_input_change_reruns_encoders_but_not_the_cache(finished):
    counts = _override(finished, "model_input:\n  image_size: 40\n")
    assert "build_spectrogram_cache" not in counts and "segment_recordings" not in counts
    assert counts["pretrain_simclr"] == 1 and counts["extract_embeddings"] == 2  # mel_stats untouched


@pytest.mark.parametrize("recipe", ["pretrain:\n  mixup: 0.2\n", "pretrain:\n  select: {keep: 0.5}\n"])
def test_a_recipe_change_reruns_pretraining_and_what_reads_the_encoder(finished, recipe):
    """The small-archive settings are result settings: pretraining and what reads the encoder
    rerun; the cache, the data check and the other embedders (random_init too) do not."""
    counts = _override(finished, recipe)
    assert counts["pretrain_simclr"] == 1 and counts["extract_embeddings"] == 1
    assert not {"build_spectrogram_cache", "segment_recordings", "validate_data"} & set(counts)


def test_version_bump_reruns_the_stage(finished):
    """What a code change inside reefclr/ needs: bump the stage's version key."""
    counts = _override(finished, "spectrogram:\n  version: 2\n")
    assert counts["build_spectrogram_cache"] == 8 and "segment_recordings" not in counts
    assert counts["pretrain_simclr"] == 1 and counts["aggregate_tables"] == 1


def test_adding_an_embedder_runs_only_its_jobs(finished):
    counts = _override(finished, "embed:\n  embedders: [reefclr, random_init, mel_stats, acoustic_indices]\n")
    assert counts == {"extract_waveform_embeddings": 1, "fit_random_forest": 1, "cluster_embeddings": 1,
                      "embed_umap_2d": 1, "probe_grouped": 3, "build_explorer": 1} | TABLES


def test_deployment_search_classifier_detections_and_summaries(finished):
    from reefclr.data.raven import read_raven_table

    deploy = finished / "results/deploy/deploy_reef"
    hits = pd.read_csv(deploy / "search/hits.csv")
    deploy = deploy / "round-0"
    assert sorted(hits["query"].unique()) == ["query01_grunt", "query02_knock"]
    assert hits.groupby("query")["rank"].max().tolist() == [20, 20] and hits["score"].between(-1, 1).all()
    tables = sorted((deploy.parent / "search/raven").glob("*.selections.txt"))
    assert tables and sum(len(read_raven_table(t, "Annotation")) for t in tables) == len(hits)
    clf = json.loads((finished / "results/deploy/classifiers/fish/round-0.json").read_text())
    assert clf["format"] == "reefclr-linear-classifier/2" and clf["embedder"] == "reefclr"
    assert len(clf["weights_sha256"]) == 64 and clf["validation"]["folds"] >= 2 and clf["trained_windows"] == []
    v = clf["validation"]
    assert v["roc_auc_low"] <= v["roc_auc"] <= v["roc_auc_high"] and v["resamples"] == 1000
    summary = json.loads((deploy / "detections/fish/summary.json").read_text())
    chosen = json.loads((deploy / "detections/fish/threshold.json").read_text())
    assert summary["threshold"] == chosen and chosen["source"] in ("deployment", "classifier")
    if chosen["source"] == "classifier":  # no threshold reached the target: none is claimed
        assert chosen["value"] == clf["threshold"] and not chosen["reached"] and "no precision" in chosen["note"]
    else:
        assert chosen["reached"] and chosen["precision_low"] >= 0.9
    curve = pd.read_csv(deploy / "detections/fish/threshold_curve.csv")
    assert len(curve) and curve["threshold"].is_monotonic_decreasing
    hourly = pd.read_csv(deploy / "detections/fish/site_hour.csv")
    assert set(hourly["site"]) == {"reef01", "reef02"} and hourly["events"].sum() == summary["events"]
    assert Image.open(deploy / "detections/fish/diel.png").size[0] > 300
    scored = pd.read_csv(deploy / "detections/fish/event_scores.csv")
    truth = json.loads((deploy / "detections/fish/event_scores.json").read_text())
    overall = scored[scored.level == "all"].iloc[0]
    assert truth["overlap"]["recordings"] == 8 and truth["overlap"]["known_events"] == overall.known > 0
    assert overall.matched <= min(overall.detections, overall.known) and "IoU > 0.3" in truth["iou"]["rule"]
    assert set(scored[scored.level == "recording"].name) == {f for f in scored.name if f.endswith(".wav")}
    assert truth["iou"]["f1"] == pytest.approx(overall.f1) and truth["left_out_windows"] == 0
    history = pd.read_csv(deploy / "detections/fish/occupancy.csv")
    days = summary["occupancy"]["occasions"]
    assert list(history.columns) == ["site"] + [f"y.{j}" for j in range(1, len(days) + 1)] + [
        f"effort.{j}" for j in range(1, len(days) + 1)]
    assert set(history.site) == {"reef01", "reef02"} and history.filter(like="y.").isin([0, 1]).all().all()
    centred_spread = hits.groupby("query")["score"].agg(lambda s: s.max() - s.min())
    assert (centred_spread > 0.01).all()  # centred cosines spread (raw ones crowd near 1)


def test_threshold_change_reruns_what_reads_it(finished):
    """The threshold is chosen in one rule; the active-learning samples near it are drawn again
    (their rule reads it), so round 1, which learns from round 0's, retrains; the detections
    follow. Round 0's validation sample and density do not rerun."""
    counts = _override(finished, "deploy:\n  detect:\n    threshold: 0.5\n")
    assert counts == {"choose_threshold": 2, "active_sample": 2, "detect_events": 2} | ROUND_1 | DETECTED


def test_iou_or_occasion_change_reruns_only_the_detections(finished):
    counts = _override(finished, "deploy:\n  detect:\n    min_iou: 0.5\n")
    assert counts == {"score_events": 2, "summarize_rounds": 1, "build_results_page": 1, "build_explorer": 1, "all": 1}
    counts = _override(finished, "deploy:\n  detect:\n    occasion: hour\n")
    assert counts == {"detect_events": 2} | DETECTED


def test_density_and_review_changes_rerun_no_embedding(finished):
    """A new interval level reruns only the estimates (and what shows them); a larger sample
    redraws round 0's, has it reviewed (the demo's reviewer), estimates and chooses again, and
    round 1 retrains on the new reviews; nothing is embedded again."""
    counts = _override(finished, "deploy:\n  review:\n    level: 0.8\n")
    assert counts == {"estimate_density": 2, "summarize_rounds": 1, "build_results_page": 1, "build_explorer": 1,
                      "all": 1}
    counts = _override(finished, "deploy:\n  review:\n    per_bin: 4\n")
    assert counts == ROUND_1 | {"validation_sample": 2, "simulate_review": 3, "choose_threshold": 2,
                                "estimate_density": 2, "active_sample": 2, "detect_events": 2} | DETECTED


def test_review_samples_and_call_density(finished):
    review = finished / "results/deploy/deploy_reef/round-0/review/fish"
    validation = pd.read_csv(review / "validation.selections.txt", sep="\t", keep_default_na=False)
    assert {"Source", "Site", "Score", "Bin", "Cell", "Cell windows", "Classifier", "Review"} <= set(validation.columns)
    assert (validation.Review == "").all() and validation.groupby(["Site", "Bin"]).size().max() <= 3
    assert validation.Classifier.nunique() == 1 and validation.Classifier.str.len().eq(16).all()
    active = pd.read_csv(review / "active.selections.txt", sep="\t")
    windows = len(pd.read_parquet(finished / "results/deploy/deploy_reef/round-0/scores/fish.parquet"))
    assert len(active) == min(10, windows - len(validation)) > 0  # presets/ci.yaml: deploy.review.active
    assert not set(zip(active.Source, active["Begin Time (s)"])) & set(zip(validation.Source,
                                                                          validation["Begin Time (s)"]))
    reviewed = pd.read_csv(review / "validation.reviewed.txt", sep="\t")
    assert set(reviewed.Review) <= {"y", "n"} and len(reviewed) == len(validation)
    detections = finished / "results/deploy/deploy_reef/round-0/detections/fish"
    table = pd.read_csv(detections / "density.csv")
    assert list(table.columns) == density.DENSITY_COLUMNS + ["true_density"]
    estimated = table.dropna(subset=["density"])
    assert ((estimated.low <= estimated.density + 1e-9) & (estimated.density <= estimated.high + 1e-9)).all()
    assert {"all", "reef01", "reef02"} == set(table.site) and table.true_density.between(0, 1).all()
    assert set(table.kind) == {"deployment", "site", "hour", "day"}
    assert (table[table.kind == "hour"].reviewed <= table[table.kind == "hour"].model_reviewed).all()
    summary = json.loads((detections / "density.json").read_text())
    assert summary["deployment"]["reviewed"] == len(reviewed) and len(summary["sites"]) == 2
    assert summary["sample"] == "drawn from these scores" and "prior-shift" in summary["estimator"]
    assert Image.open(detections / "density.png").size[0] > 300


def test_search_centring_change_reruns_only_the_search(finished):
    counts = _override(finished, "deploy:\n  centre: none\n")
    assert counts == {"search_deploy": 1} | EXPLORER


def test_a_new_query_reruns_only_the_search(finished, tmp_path):
    import shutil
    import time

    wf = tmp_path / "wf"
    shutil.copytree(finished, wf, symlinks=True)
    queries = tmp_path / "queries"
    queries.mkdir()
    shutil.copy(wf / "resources/demo/queries/query01_grunt.wav", queries / "a.wav")
    (wf / "q.yaml").write_text(f"deploy:\n  queries: {queries}\n")
    args = ("--configfile", "config.yaml", "presets/ci.yaml", "q.yaml")
    assert planned_rules(wf, *args) == {"embed_queries": 1, "search_deploy": 1} | EXPLORER
    assert snakemake(wf, "--cores", "2", *args).returncode == 0
    time.sleep(1)
    shutil.copy(wf / "resources/demo/queries/query02_knock.wav", queries / "b.wav")
    assert planned_rules(wf, *args) == {"embed_queries": 1, "search_deploy": 1} | EXPLORER


RARE = REPO / "tests/data/marrs_sonotypes"  # croak 2 files, grunt 1, scrape 3: grunt is in one recording


def _with_rare_set(finished, tmp_path, policy):
    """A copy of the finished run with one more test set whose class 'grunt' has one recording."""
    import os
    import shutil

    import yaml

    wf = tmp_path / "wf"
    shutil.copytree(finished, wf, symlinks=True)
    demo = (wf / "resources/demo").stat()
    shutil.copytree(RARE, wf / "resources/demo/test_rare")
    os.utime(wf / "resources/demo", (demo.st_atime, demo.st_mtime))  # the demo itself is unchanged
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())["data"]
    rare = {"id": "test_rare", "role": "test", "format": "folders", "path": "test_rare", "label_from_folder": True,
            "extensions": ["wav"]}
    (wf / "rare.yaml").write_text(yaml.safe_dump({"data": {"datasets": cfg["datasets"] + [rare]},
                                                  "evaluation": {"rare_classes": policy}}))
    return wf


def test_a_class_in_one_recording_stops_the_run_after_the_data_check(finished, tmp_path):
    wf = _with_rare_set(finished, tmp_path, "error")
    out = snakemake(wf, "--cores", "2", "--configfile", "config.yaml", "presets/ci.yaml", "rare.yaml")
    assert out.returncode != 0
    log = (wf / "logs/data_gate/all.log").read_text()
    assert "test_rare: class 'grunt'" in log and "found in a single group (in test_rare/grunt/Grunt.WAV)" in log
    assert "rare_classes: drop" in log and "label_map" in log
    assert not (wf / "results/cache/test_rare").exists()  # no heavy job ran for it
    text = (wf / "results/data_check/summary.md").read_text()
    assert "**error** test_rare: class 'grunt'" in text


def test_rare_classes_drop_runs_to_the_end_and_says_what_was_left_out(finished, tmp_path):
    wf = _with_rare_set(finished, tmp_path, "drop")
    out = snakemake(wf, "--cores", "2", "--configfile", "config.yaml", "presets/ci.yaml", "rare.yaml")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    left = pd.read_csv(wf / "results/tables/left_out_classes.csv")
    grouped = left[left.protocol.isin(["rf_grouped", "logreg_grouped", "fewshot"])]
    assert set(grouped["class"]) == {"grunt"} and set(grouped.dataset) == {"test_rare"}
    assert (grouped.reason == "found in a single group").all()
    assert set(grouped.protocol) == {"rf_grouped", "logreg_grouped", "fewshot"}
    summary = pd.read_csv(wf / "results/tables/grouped_summary.csv")
    assert "f1[grunt]" not in set(summary[summary.dataset == "test_rare"].metric)
    rf = pd.read_csv(wf / "results/tables/RF_results.csv")
    assert set(rf[rf.Location == "rare"].Embedding) == set(EMBEDDERS)  # grunt's 2 clips: the study split keeps it


def test_adding_a_test_set_reruns_no_cache_of_the_others(finished):
    """The data check gates the caches (ancient input): rewriting it for a new dataset reruns
    the check, the new set's jobs and the tables, nothing of the existing sets."""
    import yaml

    cfg = yaml.safe_load((REPO / "config.yaml").read_text())["data"]
    extra = next(d for d in cfg["datasets"] if d["id"] == "test_kenya") | {"id": "test_extra"}
    counts = _override(finished, yaml.safe_dump({"data": {"datasets": cfg["datasets"] + [extra]}}))
    assert counts["build_spectrogram_cache"] == 1 and counts["segment_recordings"] == 1
    assert counts["validate_data"] == 1 and "pretrain_simclr" not in counts
    assert counts["extract_embeddings"] == 3 and counts["probe_grouped"] == 9  # every embedder (x probe)


@pytest.mark.parametrize("name, dim", [("acoustic_indices", 60), ("birdnet", 1024)])
def test_waveform_embedders_run_from_the_source_audio(finished, name, dim):
    """The rule reads the demo's recordings at the embedder's own rate, offline (BirdNET's real weights)."""
    from reefclr.core.atomic import read_parquet_metadata

    (finished / "more.yaml").write_text(f"embed:\n  embedders: [reefclr, random_init, mel_stats, {name}]\n")
    target = f"results/embeddings/{name}/test_kenya.parquet"
    out = snakemake(finished, target, "--cores", "2", "--configfile", "config.yaml", "presets/ci.yaml", "more.yaml")
    assert out.returncode == 0, out.stderr[-3000:]
    table = pd.read_parquet(finished / target)
    meta = read_parquet_metadata(finished / target)
    assert int(meta["dim"]) == dim and meta["input"] == "waveform" and len(meta["weights_sha256"]) > 10
    mel = pd.read_parquet(finished / "results/embeddings/mel_stats/test_kenya.parquet")
    assert list(table.clip_id) == list(mel.clip_id)  # the same clips, in the same order, as every embedder
    assert np.isfinite(table.filter(regex=r"^e\d+$").to_numpy()).all()


def test_supervised_ceiling_trains_on_the_rf_split(finished):
    (finished / "sup.yaml").write_text(
        "embed:\n  embedders: [reefclr, random_init, mel_stats, supervised_from_reefclr]\n"
        "supervised:\n  epochs: 2\n  batch_size: 16\n  split: stratified\n  views: device\n")
    target = "results/evaluation/rf/supervised_from_reefclr/test_kenya.json"
    out = snakemake(finished, target, "--cores", "2", "--configfile", "config.yaml", "presets/ci.yaml", "sup.yaml")
    assert out.returncode == 0, out.stderr[-3000:]
    record = json.loads((finished / target).read_text())
    rf = json.loads((finished / "results/evaluation/rf/reefclr/test_kenya.json").read_text())
    assert (record["n_train"], record["n_test"]) == (rf["n_train"], rf["n_test"])  # the same split
    assert record["init"] == "reefclr" and 0 <= record["test_f1"] <= 1
    history = pd.read_csv(finished / "results/models/supervised_from_reefclr/test_kenya/train_log.csv")
    assert list(history.epoch) == [1, 2]


def test_review_rounds_retrain_on_what_was_reviewed(finished):
    """Round 1 learns from round 0's reviewed samples (validation and active, the demo's
    reviewer), leaves them out of its own samples and event scores, and rounds.csv shows both
    rounds; the last round's samples have review pages."""
    deploy = finished / "results/deploy/deploy_reef"
    first = json.loads((finished / "results/deploy/classifiers/fish/round-1.json").read_text())
    reviewed = [pd.read_csv(deploy / f"round-0/review/fish/{kind}.reviewed.txt", sep="\t")
                for kind in ("validation", "active")]
    scores = pd.read_parquet(deploy / "round-0/scores/fish.parquet")
    marked = pd.concat(reviewed)[["Source", "Begin Time (s)"]].rename(
        columns={"Source": "source", "Begin Time (s)": "offset_s"}).merge(scores)["clip_id"]
    assert sorted(first["trained_windows"]) == sorted(set(marked))
    assert "2 reviewed samples of earlier rounds" in first["trained_on"]
    sample = pd.read_csv(deploy / "round-1/review/fish/validation.selections.txt", sep="\t")
    assert not set(zip(sample.Source, sample["Begin Time (s)"])) & set(
        zip(pd.concat(reviewed).Source, pd.concat(reviewed)["Begin Time (s)"]))
    rounds = pd.read_csv(deploy / "rounds/fish.csv")
    assert rounds["round"].tolist() == [0, 1] and rounds["reviewed"].tolist() == [0, len(set(marked))]
    assert rounds["density"].notna().all() and rounds["event_f1"].notna().all()
    assert json.loads((deploy / "round-1/detections/fish/event_scores.json").read_text())["left_out_windows"] > 0
    for kind in ("validation", "active"):
        page = (deploy / f"round-1/review/fish/{kind}.html").read_text()
        assert f"deploy_reef.fish.round-1.{kind}.txt" in page
    index = (finished / "results/index.html").read_text()
    assert "fish in deploy_reef: review rounds" in index and "round-1/review/fish/validation.html" in index


def test_a_run_that_reruns_the_data_check_says_to_run_again_and_the_next_catches_up(finished):
    """Snakemake 9 leaves the jobs behind the data gate (an ancient input) out of the plan of a run
    that reruns the data check; the run says so, and the next run reruns what changed."""
    (finished / "size.yaml").write_text("evaluation:\n  rf:\n    test_size: 0.25\n")
    changed = ("--configfile", "config.yaml", "presets/ci.yaml", "size.yaml")
    assert planned_rules(finished, *changed) == {"validate_data": 1, "data_gate": 1, "all": 1}
    out = snakemake(finished, "--cores", "2", *changed)
    assert out.returncode == 0 and "run the same command once more" in out.stderr, out.stderr[-2000:]
    assert planned_rules(finished, *changed)["fit_random_forest"] == 3
    back = snakemake(finished, "results/data_check/passed.json", "--cores", "2", "--configfile", "config.yaml",
                     "presets/ci.yaml")  # the finished run as the other tests expect it
    assert back.returncode == 0 and _override(finished, "{}\n") == {}
