"""reefclr.deploy.detect: classifiers, detections, event scores and summaries over deployments."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers import defaults
from reefclr.deploy import detect


# the deployment settings of a reefclr classifier of fish from a test set, target precision 0.9
DEPLOY = defaults(deploy={"embedder": "reefclr", "classifiers": {"fish": {"dataset": "test_kenya",
                                                                        "positive": ["fish"]}}}).deploy


def _examples(n=80, dim=6, seed=0):
    rng = np.random.default_rng(seed)
    y = np.tile([0, 1], n // 2)
    x = rng.normal(size=(n, dim)) + 2.5 * y[:, None]
    table = pd.DataFrame(x, columns=[f"e{i:04d}" for i in range(dim)])
    return table.assign(y=y, group=[f"rec{i % 8}" for i in range(n)], label=np.where(y, "fish", "ambient"))


def test_classifier_is_portable_and_validated_on_whole_recordings():
    examples = _examples()
    clf = detect.train(examples, "fish", DEPLOY, "a" * 64, 0, "test set test_kenya")
    clf = json.loads(json.dumps(clf))  # what the workflow writes and reads
    assert clf["embedder"] == "reefclr" and clf["weights_sha256"] == "a" * 64 and clf["dim"] == 6
    assert clf["validation"]["folds"] == 5 and clf["validation"]["roc_auc"] > 0.95 and clf["groups"] == 8
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = examples.filter(regex=r"^e\d+$").to_numpy()
    reference = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=5000,
                                                                   random_state=0)).fit(x, examples["y"])
    np.testing.assert_allclose(detect.score(clf, examples), reference.predict_proba(x)[:, 1], atol=1e-8)
    detect.check_compatible(clf, "reefclr", "a" * 64, "shard-0.parquet")
    with pytest.raises(ValueError, match="shard-0.parquet: classifier 'fish' was trained on reefclr vectors.*"
                                         "these windows are birdnet"):
        detect.check_compatible(clf, "birdnet", "b" * 64, "shard-0.parquet")
    with pytest.raises(ValueError, match="trained on reefclr.*retrain"):
        detect.check_compatible(clf, "reefclr", "c" * 64, "shard-0.parquet")  # other weights, same name


def test_a_class_from_one_recording_is_refused():
    examples = _examples().assign(group=lambda d: np.where(d["y"] == 1, "rec0", d["group"]))
    with pytest.raises(ValueError, match="classifier fish .*positive examples from at least 2 recordings"):
        detect.train(examples, "fish", DEPLOY, "a" * 64, 0, "x")


def test_threshold_for_a_target_precision():
    y = np.array([0, 0, 1, 0, 1, 1, 1])
    score = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert detect.threshold_for_precision(y, score, 1.0) == (0.5, True)
    assert detect.threshold_for_precision(y, score, 0.75)[0] == 0.3


def _scores():
    time = pd.Timestamp("2023-04-01 19:00:00")
    rows = [("a.wav", 0.0, 0.9), ("a.wav", 1.92, 0.8), ("a.wav", 3.84, 0.1), ("a.wav", 5.76, 0.7),
            ("a.wav", 9.6, 0.95), ("b.wav", 0.0, 0.2)]
    return pd.DataFrame([dict(source=s, site="reef01" if s == "a.wav" else "reef02", offset_s=o, end_s=o + 1.92,
                              time=time + pd.Timedelta(seconds=o), score=sc) for s, o, sc in rows])


def test_detections_merge_into_events():
    found = detect.events(_scores(), 0.5, merge_gap_s=1.0)
    assert found[["offset_s", "end_s", "windows"]].values.tolist() == [[0.0, 3.84, 2], [5.76, 7.68, 1],
                                                                        [9.6, 11.52, 1]]
    assert found["score"].tolist() == [0.9, 0.7, 0.95] and found["site"].tolist() == ["reef01"] * 3
    wide = detect.events(_scores(), 0.5, merge_gap_s=2.0)  # gaps of 1.92 s close
    assert wide[["offset_s", "end_s", "windows"]].values.tolist() == [[0.0, 11.52, 4]]


def test_site_hour_summaries_count_effort_and_events():
    scores = _scores()
    hourly, daily = detect.summaries(scores, detect.events(scores, 0.5, 1.0), hop_s=1.92)
    a = hourly[hourly["site"] == "reef01"].iloc[0]
    assert (a["date"], a["hour"], a["events"], a["windows"]) == ("2023-04-01", 19, 3, 5)
    assert a["events_per_hour"] == pytest.approx(3 / (5 * 1.92 / 3600))
    b = hourly[hourly["site"] == "reef02"].iloc[0]
    assert b["events"] == 0 and b["mean_score"] == pytest.approx(0.2)
    assert daily["events"].sum() == 3


def test_event_scores_with_the_overlap_rule():
    found = pd.DataFrame({"source": ["a.wav", "a.wav", "a.wav", "quiet.wav", "untabled.wav"],
                          "offset_s": [0.0, 10.0, 20.0, 0.0, 0.0], "end_s": [2.0, 12.0, 22.0, 2.0, 2.0]})
    truth = pd.DataFrame({"source": ["a.wav", "a.wav", "a.wav"], "begin_s": [1.5, 30.0, 11.9],
                          "end_s": [2.5, 31.0, 13.0], "label": "fish"})
    covered = {"a.wav", "quiet.wav"}  # quiet.wav: a table without events; untabled.wav: no table, left out
    s = detect.event_scores(found, truth, 0.0, covered)
    assert (s["true_detections"], s["detections"], s["found_events"], s["known_events"]) == (2, 4, 2, 3)
    assert s["precision"] == pytest.approx(2 / 4) and s["recall"] == pytest.approx(2 / 3)
    strict = detect.event_scores(found, truth, 0.2, covered)  # the second overlap is 0.1 s
    assert strict["true_detections"] == 1 and "0.2 s" in strict["overlap_rule"]


def test_reviewed_hits_with_an_unknown_value_name_the_file_and_row(tmp_path):
    windows = _scores().rename(columns={}).assign(clip_id=range(6), e0000=np.arange(6.0))
    table = tmp_path / "hits.txt"
    pd.DataFrame({"Begin File": ["a.wav", "a.wav", "b.wav"], "Begin Time (s)": [0.0, 1.92, 0.0],
                  "Review": ["y", "", "n"]}).to_csv(table, sep="\t", index=False)
    examples = detect.reviewed_examples(table, "Review", ["y"], ["n"], windows)
    assert examples["y"].tolist() == [1, 0] and examples["group"].tolist() == ["a.wav", "b.wav"]
    pd.DataFrame({"Begin File": ["a.wav"], "Begin Time (s)": [0.0], "Review": ["maybe"]}).to_csv(
        table, sep="\t", index=False)
    with pytest.raises(ValueError, match=r"hits.txt: row 1: Review 'maybe' is neither positive \['y'\]"):
        detect.reviewed_examples(table, "Review", ["y"], ["n"], windows)
    pd.DataFrame({"Begin File": ["c.wav"], "Begin Time (s)": [0.0], "Review": ["y"]}).to_csv(
        table, sep="\t", index=False)
    with pytest.raises(ValueError, match="row 1: no window of the deployment starts at 0.0 s in c.wav"):
        detect.reviewed_examples(table, "Review", ["y"], ["n"], windows)


def test_validation_intervals_flag_a_classifier_near_chance():
    good = detect.train(_examples(), "fish", DEPLOY, "a" * 64, 0, "x")["validation"]
    assert good["roc_auc_low"] > 0.9 and not good["near_chance"] and 0 < good["precision_low"] <= good["precision"]
    noise = _examples().assign(y=np.tile([0, 0, 1, 1], 20))  # labels that follow no signal of the vectors
    clf = detect.train(noise, "fish", DEPLOY, "a" * 64, 0, "x")
    v = clf["validation"]
    assert v["near_chance"] and v["roc_auc_low"] <= 0.5 and not clf["target_reached"]
    assert "reaches no stated precision" in detect.threshold_origin(None, clf)
    assert "lower bound" in detect.threshold_origin(None, detect.train(_examples(), "fish", DEPLOY, "a" * 64, 0, "x"))


def test_iou_matching_is_one_to_one_at_the_dcase_bound():
    found = pd.DataFrame({"offset_s": [0.0, 0.5, 10.0, 20.0], "end_s": [2.0, 2.5, 12.0, 20.4]})
    truth = pd.DataFrame({"begin_s": [0.2, 10.5, 20.0], "end_s": [2.2, 13.0, 22.0]})
    # two detections overlap the first event: one match; the second event IoU 1.5/3 = 0.5; the
    # third 0.4/2 = 0.2 < 0.3
    assert detect.iou_matches(found, truth, 0.3) == 2
    assert detect.iou_matches(found, truth, 0.19) == 3
    assert detect.iou_matches(found.iloc[:0], truth, 0.3) == 0


def test_iou_scores_per_site_and_recording_with_intervals_over_recordings():
    rows = [("a1.wav", "reef01", 4, 5, 3), ("a2.wav", "reef01", 2, 2, 2), ("a3.wav", "reef01", 3, 1, 1),
            ("b1.wav", "reef02", 0, 3, 0)]
    recordings = pd.DataFrame(rows, columns=["source", "site", "detections", "known", "matched"])
    table = detect.iou_scores(recordings, seed=0).set_index(["level", "name"])
    overall = table.loc[("all", "all")]
    assert overall["precision"] == pytest.approx(6 / 9) and overall["recall"] == pytest.approx(6 / 11)
    assert overall["precision_low"] <= overall["precision"] <= overall["precision_high"]
    assert table.loc[("site", "reef01"), "recall"] == pytest.approx(6 / 8)
    assert np.isnan(table.loc[("site", "reef02"), "recall_low"])  # one recording: no interval
    assert table.loc[("recording", "a3.wav"), "precision"] == pytest.approx(1 / 3)
    assert list(table.reset_index().columns) == detect.EVENT_SCORE_COLUMNS


def test_detection_history_is_unmarked_wide_with_na_where_not_recorded():
    scores = _scores()
    later = scores[scores.source == "b.wav"].assign(time=pd.Timestamp("2023-04-02 03:00"), source="c.wav")
    scores = pd.concat([scores, later], ignore_index=True)
    found = detect.events(scores, 0.5, 1.0)
    history = detect.detection_history(scores, found, "day", hop_s=1.92).set_index("site")
    assert list(history.columns) == ["y.1", "y.2", "effort.1", "effort.2"]
    assert detect.history_occasions(scores, "day") == ["2023-04-01", "2023-04-02"]
    assert history.loc["reef01", "y.1"] == 1 and pd.isna(history.loc["reef01", "y.2"])  # not recorded on day 2
    assert history.loc["reef02", "y.1"] == 0 and history.loc["reef02", "y.2"] == 0
    assert history.loc["reef01", "effort.1"] == pytest.approx(5 * 1.92 / 60)
    hourly = detect.detection_history(scores, found, "hour", hop_s=1.92)
    assert detect.history_occasions(scores, "hour") == ["2023-04-01T19", "2023-04-02T03"] and len(hourly) == 2


def test_reviewed_windows_by_source_path_with_unsure_marks_left_out(tmp_path):
    """Two sites with recordings of the same file name: the Source column tells them apart; a
    table without it is refused rather than matched twice."""
    windows = pd.DataFrame({"source": ["reef01/a.wav", "reef02/a.wav"], "offset_s": [0.0, 0.0],
                            "end_s": 1.92, "site": ["reef01", "reef02"], "clip_id": ["w0", "w1"]})
    table = tmp_path / "validation.txt"
    pd.DataFrame({"Begin File": ["a.wav", "a.wav"], "Source": ["reef02/a.wav", "reef01/a.wav"],
                  "Begin Time (s)": [0.0, 0.0], "Review": ["y", "u"]}).to_csv(table, sep="\t", index=False)
    marked = detect.reviewed_examples(table, "Review", ["y"], ["n"], windows, skip=["u"])
    assert marked[["clip_id", "y"]].values.tolist() == [["w1", 1]]
    pd.DataFrame({"Begin File": ["a.wav"], "Begin Time (s)": [0.0], "Review": ["y"]}).to_csv(
        table, sep="\t", index=False)
    with pytest.raises(ValueError, match="row 1: 2 recordings are named a.wav .*add a Source column"):
        detect.reviewed_examples(table, "Review", ["y"], ["n"], windows)
