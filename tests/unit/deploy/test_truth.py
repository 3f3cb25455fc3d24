"""reefclr.deploy.truth: known events per sound from Raven tables, the windows and detections
left out of scoring, and detections scored against known events by overlap and by one-to-one
IoU matches as DCASE task 5's evaluation.py scores them (checked against that code, below)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from helpers import defaults
from reefclr.deploy import truth

RAVEN = ["Selection", "View", "Channel", "Begin Time (s)", "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)",
         "Annotation"]


def _raven(path, events):
    """A Raven selection table of ``events`` (begin, end, annotation); none: a header only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [(i + 1, "Spectrogram 1", 1, b, e, 100.0, 2000.0, label) for i, (b, e, label) in enumerate(events)]
    pd.DataFrame(rows, columns=RAVEN).to_csv(path, sep="\t", index=False)


def _spans(spans, source="a.wav", start="begin_s"):
    return pd.DataFrame({"source": source, start: [float(b) for b, _ in spans], "end_s": [float(e) for _, e in spans]})


def _known(sound, unknown=(), source="a.wav"):
    """Known events of one recording: ``sound`` and ``unknown`` as (begin, end) pairs."""
    return truth.Known(_spans(sound, source).assign(label="fish"), _spans(unknown, source).assign(label="UNK"),
                       frozenset({source}))


def _found(spans, source="a.wav"):
    """Detections (events of the classifier) of one recording as (offset, end) pairs."""
    return _spans(spans, source, "offset_s")


# --- known events per sound ---------------------------------------------------------------

SOURCES = ["reef01/a.wav", "reef02/b.wav", "reef02/c.wav", "reef01/d.wav"]
SITES = {s: s.split("/")[0] for s in SOURCES}


@pytest.fixture
def two_sounds(tmp_path):
    """Known fish (and grunts, a fish label of the test set), boats, an engine and uncertain (UNK)
    events of a.wav and b.wav; d.wav's table is empty (no event); c.wav has no table."""
    _raven(tmp_path / "truth" / "a.Table.1.selections.txt",
           [(1.0, 2.0, "fish"), (10.0, 11.0, "grunt"), (20.0, 25.0, "boat"), (30.0, 31.0, "UNK")])
    _raven(tmp_path / "truth" / "b.Table.1.selections.txt", [(5.0, 8.0, "boat"), (40.0, 41.0, "fish"),
                                                             (50.0, 52.0, "engine")])
    _raven(tmp_path / "truth" / "d.Table.1.selections.txt", [])
    return tmp_path


def _deploy(**boat):
    """fish trained on a test set (positive: grunt), boat on reviewed windows."""
    return defaults(deploy={"truth": "truth", "classifiers": {
        "fish": {"dataset": "test_kenya", "positive": ["grunt"]},
        "boat": {"reviewed": "boat.txt", "positive": ["y"], **boat}}}).deploy


def test_truth_spec_takes_the_sound_and_its_test_set_labels_or_the_configured_ones(tmp_path):
    deploy = _deploy()
    fish = truth.TruthSpec.of(deploy, str(tmp_path), "fish")
    assert fish == truth.TruthSpec(tmp_path / "truth", "Annotation", ("fish", "grunt"), ("UNK",))
    assert truth.TruthSpec.of(deploy, str(tmp_path), "boat").labels == ("boat",)  # reviewed: no test-set labels
    assert truth.TruthSpec.of(_deploy(truth_labels=["boat", "engine"]), str(tmp_path), "boat").labels == (
        "boat", "engine")
    assert truth.TruthSpec.of(defaults().deploy, str(tmp_path), "fish") is None  # no deploy.truth


def test_each_sound_gets_its_own_events_and_the_unknown_ones(two_sounds):
    deploy = _deploy()
    fish = truth.load(truth.TruthSpec.of(deploy, str(two_sounds), "fish"), SOURCES)
    boat = truth.load(truth.TruthSpec.of(deploy, str(two_sounds), "boat"), SOURCES)
    assert fish.sound[["source", "begin_s", "label"]].values.tolist() == [
        ["reef01/a.wav", 1.0, "fish"], ["reef01/a.wav", 10.0, "grunt"], ["reef02/b.wav", 40.0, "fish"]]
    assert boat.sound[["source", "begin_s", "label"]].values.tolist() == [
        ["reef01/a.wav", 20.0, "boat"], ["reef02/b.wav", 5.0, "boat"]]
    for known in (fish, boat):
        assert known.unknown[["source", "begin_s", "end_s"]].values.tolist() == [["reef01/a.wav", 30.0, 31.0]]
        assert known.covered == {"reef01/a.wav", "reef02/b.wav", "reef01/d.wav"}  # c.wav: no table
    engine = truth.load(truth.TruthSpec.of(_deploy(truth_labels=["boat", "engine"]), str(two_sounds), "boat"),
                        SOURCES)
    assert engine.sound["label"].tolist() == ["boat", "boat", "engine"]


def test_windows_with_sound_follow_the_sound(two_sounds):
    offsets = [0.0, 10.0, 20.0, 30.0, 0.0, 5.0, 40.0]
    windows = pd.DataFrame({"source": ["reef01/a.wav"] * 4 + ["reef02/b.wav"] * 3, "offset_s": offsets,
                            "end_s": [o + 1.92 for o in offsets]})
    known = {sound: truth.load(truth.TruthSpec.of(_deploy(), str(two_sounds), sound), SOURCES) for sound in
             ("fish", "boat")}
    fish = truth.windows_with_sound(windows, known["fish"].sound)
    boat = truth.windows_with_sound(windows, known["boat"].sound)
    assert fish.tolist() == [True, True, False, False, False, False, True]
    assert boat.tolist() == [False, False, True, False, False, True, False]  # UNK at 30 s: neither
    assert fish.index.equals(windows.index)


def test_precision_and_recall_per_sound(two_sounds):
    """The same detections scored for each sound: a detection on a boat is right for boat and
    wrong for fish; the one on the UNK event is neither for both."""
    found = pd.concat([_found([(1, 2), (20, 25), (30, 31)], "reef01/a.wav"), _found([(5, 8)], "reef02/b.wav")],
                      ignore_index=True)

    def overall(sound, deploy):
        known = truth.load(truth.TruthSpec.of(deploy, str(two_sounds), sound), SOURCES)
        table = truth.scores(truth.per_recording(found, known, SITES, 0.3), seed=0)
        return table[table["level"] == "all"].iloc[0]

    fish, boat = overall("fish", _deploy()), overall("boat", _deploy())
    assert (fish["matched"], fish["unknown"], fish["known"]) == (1, 1, 3)
    assert fish["precision"] == pytest.approx(1 / 3) and fish["recall"] == pytest.approx(1 / 3)
    assert (boat["matched"], boat["unknown"], boat["known"]) == (2, 1, 2)
    assert boat["precision"] == pytest.approx(2 / 3) and boat["recall"] == pytest.approx(1.0)
    engine = overall("boat", _deploy(truth_labels=["boat", "engine"]))
    assert engine["recall"] == pytest.approx(2 / 3) and engine["precision"] == pytest.approx(2 / 3)


def test_a_truth_folder_naming_no_recording_is_refused(two_sounds):
    spec = truth.TruthSpec.of(_deploy(), str(two_sounds), "fish")
    with pytest.raises(ValueError, match="truth: no Raven table matches a recording of the deployment"):
        truth.load(spec, ["reef03/z.wav"])


# --- windows the classifier was trained on --------------------------------------------------

def test_leave_out_drops_events_and_detections_overlapping_a_trained_window():
    """A window trained on (a.wav 0-1.92 s) takes out the events and detections that overlap
    it; those of other recordings at the same times, later ones and those only abutting it stay."""
    known = truth.Known(pd.concat([_spans([(1, 2), (10, 11)]), _spans([(1, 2)], "b.wav")], ignore_index=True),
                        _spans([(1.5, 1.8), (30, 31)]), frozenset({"a.wav", "b.wav"}))
    found = pd.concat([_found([(0.5, 1.0), (1.92, 3.84), (10, 12)]), _found([(0.0, 1.92)], "b.wav")],
                      ignore_index=True)
    trained = _found([(0.0, 1.92)])
    kept, left = truth.leave_out(known, found, trained)
    assert kept.sound[["source", "begin_s"]].values.tolist() == [["a.wav", 10.0], ["b.wav", 1.0]]
    assert kept.unknown["begin_s"].tolist() == [30.0]
    assert left[["source", "offset_s"]].values.tolist() == [["a.wav", 1.92], ["a.wav", 10.0], ["b.wav", 0.0]]
    assert kept.covered == known.covered
    same_known, same_found = truth.leave_out(known, found, trained.iloc[:0])
    assert same_known is known and same_found is found


# --- IoU, matches and their scores ------------------------------------------------------------

def test_iou_is_zero_apart_and_touching():
    found = _found([(0, 2), (2, 4), (5, 6)])
    events = _spans([(1, 3), (4, 5)])
    np.testing.assert_allclose(truth.iou(found, events), [[1 / 3, 0.0], [1 / 3, 0.0], [0.0, 0.0]])


def test_iou_matching_is_one_to_one_above_the_dcase_bound():
    found = _found([(0.0, 2.0), (0.5, 2.5), (10.0, 12.0), (20.0, 20.4)])
    events = _spans([(0.2, 2.2), (10.5, 13.0), (20.0, 22.0)])
    # two detections overlap the first event: one match; the second event IoU 1.5/3 = 0.5; the
    # third 0.4/2 = 0.2 < 0.3
    assert len(truth.matches(found, events, 0.3)) == 2
    assert len(truth.matches(found, events, 0.19)) == 3
    assert len(truth.matches(found.iloc[:0], events, 0.3)) == 0
    assert len(truth.matches(found, events.iloc[:0], 0.3)) == 0


def test_iou_scores_per_site_and_recording_with_intervals_over_recordings():
    rows = [("a1.wav", "reef01", 4, 5, 3, 1), ("a2.wav", "reef01", 2, 2, 2, 0), ("a3.wav", "reef01", 3, 1, 1, 0),
            ("b1.wav", "reef02", 0, 3, 0, 0)]
    recordings = pd.DataFrame(rows, columns=truth.RECORDING_COLUMNS)
    table = truth.scores(recordings, seed=0).set_index(["level", "name"])
    overall = table.loc[("all", "all")]
    # a detection matching an unknown event is neither right nor wrong: 6 of 9 - 1 detections
    assert overall["precision"] == pytest.approx(6 / 8) and overall["recall"] == pytest.approx(6 / 11)
    assert overall["precision_low"] <= overall["precision"] <= overall["precision_high"]
    assert overall["f1"] == pytest.approx(2 * (6 / 8) * (6 / 11) / (6 / 8 + 6 / 11))
    assert table.loc[("site", "reef01"), "recall"] == pytest.approx(6 / 8)
    assert np.isnan(table.loc[("site", "reef02"), "recall_low"])  # one recording: no interval
    assert table.loc[("recording", "a1.wav"), "precision"] == pytest.approx(3 / 3)
    assert table.loc[("recording", "a3.wav"), "precision"] == pytest.approx(1 / 3)
    assert list(table.reset_index().columns) == truth.SCORE_COLUMNS


def test_per_recording_counts_every_covered_recording_and_only_those():
    known = truth.Known(_spans([(0, 2), (10, 12)]), _spans([(20, 22)]), frozenset({"a.wav", "quiet.wav"}))
    found = pd.concat([_found([(0, 2), (20, 22), (30, 31)]), _found([(0, 1)], "quiet.wav"),
                       _found([(0, 1)], "untabled.wav")], ignore_index=True)
    counts = truth.per_recording(found, known, {"a.wav": "reef01"}, 0.3)
    assert counts.values.tolist() == [["a.wav", "reef01", 3, 2, 1, 1], ["quiet.wav", "", 1, 0, 0, 0]]


def test_event_scores_with_the_overlap_rule():
    found = pd.DataFrame({"source": ["a.wav", "a.wav", "a.wav", "quiet.wav", "untabled.wav"],
                          "offset_s": [0.0, 10.0, 20.0, 0.0, 0.0], "end_s": [2.0, 12.0, 22.0, 2.0, 2.0]})
    sound = pd.DataFrame({"source": ["a.wav", "a.wav", "a.wav"], "begin_s": [1.5, 30.0, 11.9],
                          "end_s": [2.5, 31.0, 13.0], "label": "fish"})
    # quiet.wav: a table without events; untabled.wav: no table, left out
    known = truth.Known(sound, sound.iloc[:0], frozenset({"a.wav", "quiet.wav"}))
    s = truth.overlap_scores(found, known, 0.0)
    assert (s["recordings"], s["true_detections"], s["detections"], s["found_events"], s["known_events"]) == (
        2, 2, 4, 2, 3)
    assert s["precision"] == pytest.approx(2 / 4) and s["recall"] == pytest.approx(2 / 3)
    strict = truth.overlap_scores(found, known, 0.2)  # the second overlap is 0.1 s
    assert strict["true_detections"] == 1 and "0.2 s" in strict["rule"]


# --- DCASE task 5 as written ------------------------------------------------------------------
# Transcribed from c4dm/dcase-few-shot-bioacoustic (commit 33a2119cecb9ecd0c892b9b87e8476bdbe8c023c),
# MIT License, Copyright (c) 2022 Centre for Digital Music: fast_intersect, slow_intersect, iou
# and match_events from evaluation_metrics/metrics.py; select_events_with_value,
# build_matrix_from_selected_rows and compute_tp_fp_fn from evaluation_metrics/evaluation.py.
# The code is theirs, line for line; only the docstrings are shortened, the commented-out prints
# left out, and `metrics.match_events` / `mir_eval.util._bipartite_match` called by their names
# here. _bipartite_match is transcribed from mir_eval (mir_eval/util.py, MIT License,
# Copyright (c) 2014 Colin Raffel), itself adapted from David Eppstein's Hopcroft-Karp (PADS).

MIN_IOU_TH = 0.3
POS_VALUE = 'POS'
UNK_VALUE = 'UNK'


def fast_intersect(ref, est):
    """Find all intersections between reference events and estimated events (fast)."""
    ref_on_argsort = np.argsort(ref[0, :])
    ref_off_argsort = np.argsort(ref[1, :])

    est_on_argsort = np.argsort(est[0, :])
    est_off_argsort = np.argsort(est[1, :])

    est_on_maxindex = est.shape[1]
    est_off_minindex = 0
    estref_matches = [set()] * ref.shape[1]
    refest_matches = [set()] * ref.shape[1]
    for ref_id in range(ref.shape[1]):
        ref_onset = ref[0, ref_on_argsort[ref_id]]
        est_off_sorted = est[1, est_off_argsort[est_off_minindex:]]
        search_result = np.searchsorted(est_off_sorted, ref_onset, side="left")
        est_off_minindex += search_result
        refest_match = est_off_argsort[est_off_minindex:]
        refest_matches[ref_on_argsort[ref_id]] = set(refest_match)

        ref_offset = ref[1, ref_off_argsort[-1 - ref_id]]
        est_on_sorted = est[0, est_on_argsort[: (1 + est_on_maxindex)]]
        search_result = np.searchsorted(est_on_sorted, ref_offset, side="right")
        est_on_maxindex = search_result - 1
        estref_match = est_on_argsort[: (1 + est_on_maxindex)]
        estref_matches[ref_off_argsort[-1 - ref_id]] = set(estref_match)

    zip_iterator = zip(refest_matches, estref_matches)
    matches = [x.intersection(y) for (x, y) in zip_iterator]
    return matches


def iou(ref, est, method="fast"):
    """Compute pairwise "intersection over union" (IOU) metric between reference
    events and estimated events."""
    n_refs = ref.shape[1]
    n_ests = est.shape[1]
    S = scipy.sparse.dok_matrix((n_refs, n_ests))

    if method == "fast":
        matches = fast_intersect(ref, est)
    elif method == "slow":
        matches = slow_intersect(ref, est)

    for ref_id in range(n_refs):
        matching_ests = matches[ref_id]
        ref_on = ref[0, ref_id]
        ref_off = ref[1, ref_id]

        for matching_est_id in matching_ests:
            est_on = est[0, matching_est_id]
            est_off = est[1, matching_est_id]
            intersection = min(ref_off, est_off) - max(ref_on, est_on)
            union = max(ref_off, est_off) - min(ref_on, est_on)
            intersection_over_union = intersection / union
            S[ref_id, matching_est_id] = intersection_over_union

    return S


def match_events(ref, est, min_iou=0.0, method="fast"):
    """Compute a maximum matching between reference and estimated event times,
    subject to a criterion of minimum intersection-over-union (IOU)."""

    # Intersect reference events and estimated events
    S = iou(ref, est, method=method)

    # Threshold intersection-over-union (IOU) ratio
    S_bool = scipy.sparse.dok_matrix(S > min_iou)
    hits = S_bool.keys()

    # Construct the bipartite graph
    G = {}
    for ref_i, est_i in hits:
        if est_i not in G:
            G[est_i] = []
        G[est_i].append(ref_i)

    # Apply Hopcroft-Karp algorithm (from mir_eval package)
    # to obtain maximum bipartite graph matching
    matching = sorted(_bipartite_match(G).items())
    return matching


def slow_intersect(ref, est):
    """Find all intersections between reference events and estimated events (slow)."""
    matches = []
    for i in range(ref.shape[1]):
        matches.append(
            set(
                [
                    j
                    for j in range(est.shape[1])
                    if ((ref[0, i] <= est[1, j]) and (ref[1, i] >= est[0, j]))
                ]
            )
        )
    return matches


def _bipartite_match(graph):
    """Find maximum cardinality matching of a bipartite graph (U,V,E).
    The input format is a dictionary mapping members of U to a list
    of their neighbors in V.

    The output is a dict M mapping members of V to their matches in U."""
    # Adapted from:
    #
    # Hopcroft-Karp bipartite max-cardinality matching and max independent set
    # David Eppstein, UC Irvine, 27 Apr 2002

    # initialize greedy matching (redundant, but faster than full search)
    matching = {}
    for u in graph:
        for v in graph[u]:
            if v not in matching:
                matching[v] = u
                break

    while True:
        # structure residual graph into layers
        # pred[u] gives the neighbor in the previous layer for u in U
        # preds[v] gives a list of neighbors in the previous layer for v in V
        # unmatched gives a list of unmatched vertices in final layer of V,
        # and is also used as a flag value for pred[u] when u is in the first
        # layer
        preds = {}
        unmatched = []
        pred = dict([(u, unmatched) for u in graph])
        for v in matching:
            del pred[matching[v]]
        layer = list(pred)

        # repeatedly extend layering structure by another pair of layers
        while layer and not unmatched:
            new_layer = {}
            for u in layer:
                for v in graph[u]:
                    if v not in preds:
                        new_layer.setdefault(v, []).append(u)
            layer = []
            for v in new_layer:
                preds[v] = new_layer[v]
                if v in matching:
                    layer.append(matching[v])
                    pred[matching[v]] = v
                else:
                    unmatched.append(v)

        # did we finish layering without finding any alternating paths?
        if not unmatched:
            unlayered = {}
            for u in graph:
                for v in graph[u]:
                    if v not in preds:
                        unlayered[v] = None
            return matching

        def recurse(v):
            """Recursively search backward through layers to find alternating
            paths.  recursion returns true if found path, false otherwise
            """
            if v in preds:
                L = preds[v]
                del preds[v]
                for u in L:
                    if u in pred:
                        pu = pred[u]
                        del pred[u]
                        if pu is unmatched or recurse(pu):
                            matching[v] = u
                            return True
            return False

        for v in unmatched:
            recurse(v)


def select_events_with_value(data_frame, value=POS_VALUE):

    indexes_list = data_frame.index[data_frame["Q"] == value].tolist()

    return indexes_list


def build_matrix_from_selected_rows(data_frame, selected_indexes_list ):

    matrix_data = np.ones((2, len(selected_indexes_list)))* -1
    for n, idx in enumerate(selected_indexes_list):
        matrix_data[0, n] = data_frame.loc[idx].Starttime # start time for event n
        matrix_data[1, n] = data_frame.loc[idx].Endtime
    return matrix_data


def compute_tp_fp_fn(pred_events_df, ref_events_df):
    # inputs: dataframe with predicted events, dataframe with reference events and their value (POS, UNK, NEG)
    # output: True positives, False Positives, False negatives counts and total number of pos events in ref.

    # makes one pass with bipartite graph matching between pred events and ref positive events
    # get TP
    # make second pass with remaining pred events and ref Unk events
    # compute FP as the number of remaining predicted events after the two rounds of matches.
    # FN is the remaining unmatched pos events in ref.

    ref_pos_indexes = select_events_with_value(ref_events_df, value=POS_VALUE)

    if "Q" not in pred_events_df.columns:
        pred_events_df["Q"] = POS_VALUE

    #sort events by starttime
    pred_events_df = pred_events_df.sort_values(by='Starttime', axis=0, ascending=True)
    pred_pos_indexes = select_events_with_value(pred_events_df, value=POS_VALUE)

    ref_1st_round = build_matrix_from_selected_rows(ref_events_df, ref_pos_indexes)
    pred_1st_round = build_matrix_from_selected_rows(pred_events_df, pred_pos_indexes)

    m_pos = match_events(ref_1st_round, pred_1st_round, min_iou=MIN_IOU_TH)
    matched_ref_indexes = [ri for ri, pi in m_pos]  # noqa: F841 (unused there too)
    matched_pred_indexes = [pi for ri, pi in m_pos]


    ref_unk_indexes = select_events_with_value(ref_events_df, value=UNK_VALUE)
    ref_2nd_round = build_matrix_from_selected_rows(ref_events_df, ref_unk_indexes)

    unmatched_pred_events = list(set(range(pred_1st_round.shape[1])) - set(matched_pred_indexes))
    pred_2nd_round = pred_1st_round[:, unmatched_pred_events]

    m_unk = match_events(ref_2nd_round, pred_2nd_round, min_iou=MIN_IOU_TH)

    tp = len(m_pos)
    fp = pred_1st_round.shape[1] - tp - len(m_unk)

    ## compute unmatched pos ref events:
    count_unmached_pos_ref_events = len(ref_pos_indexes) - tp

    fn = count_unmached_pos_ref_events

    total_n_POS_events = len(ref_pos_indexes)
    return tp, fp, fn, total_n_POS_events

# --- end of the transcription ---------------------------------------------------------------


def _dcase(found, known):
    """TP, FP, FN of one recording as evaluation.py's evaluate gets them: the reference table
    (POS and UNK events) sorted by start time, then compute_tp_fp_fn; a recording without
    predictions counts all its POS events as FN (evaluate's "audiofiles for which there were no
    predictions")."""
    ref = pd.concat([known.sound.assign(Q=POS_VALUE), known.unknown.assign(Q=UNK_VALUE)], ignore_index=True)
    ref = ref.rename(columns={"begin_s": "Starttime", "end_s": "Endtime"})[["Starttime", "Endtime", "Q"]]
    ref = ref.sort_values(by='Starttime', axis=0, ascending=True)
    if found.empty:
        return 0, 0, len(select_events_with_value(ref, value=POS_VALUE))
    pred = pd.DataFrame({"Audiofilename": found["source"].to_numpy(), "Starttime": found["offset_s"].to_numpy(),
                         "Endtime": found["end_s"].to_numpy()})
    return compute_tp_fp_fn(pred, ref)[:3]


def _ours(found, known):
    """TP, FP, FN of one recording from truth.recording_counts at the DCASE bound."""
    c = truth.recording_counts(found, known, MIN_IOU_TH)
    return c["matched"], c["detections"] - c["matched"] - c["unknown"], c["known"] - c["matched"]


CASES = {
    # event 0-10 s, detection 0-3 s: IoU 3/10, exactly 0.3: DCASE matches above 0.3 only
    "iou exactly 0.3": ([(0, 10)], [], [(0, 3)], (0, 1, 1)),
    "iou just above 0.3": ([(0, 10)], [], [(0, 3.01)], (1, 0, 0)),
    "two detections on one event": ([(0, 2)], [], [(0, 2), (0.1, 2.1)], (1, 1, 0)),
    "a detection on an unknown event": ([(0, 2)], [(10, 12)], [(0, 2), (10, 12), (20, 22)], (1, 1, 0)),
    "an event touching detections at one point": ([(2, 4)], [], [(0, 2), (4, 6)], (0, 2, 1)),
    # both detections match the event (IoU 1 and 0.54); only the later one also the UNK event
    # (0.54; the earlier 0.25): the count of FP depends on which one the event takes. DCASE's
    # matching keeps the earlier one for the event, so the later one goes to the UNK event;
    # detections listed latest first must change nothing.
    "a tie in the first round": ([(0, 2)], [(1.2, 3.2)], [(0, 2), (0.6, 2.6)], (1, 0, 0)),
    "a tie in the first round, listed latest first": ([(0, 2)], [(1.2, 3.2)], [(0.6, 2.6), (0, 2)], (1, 0, 0)),
    "no detections": ([(0, 2), (5, 6)], [(8, 9)], [], (0, 0, 2)),
    "no events": ([], [(8, 9)], [(0, 2), (8, 9)], (0, 1, 0)),
}


@pytest.mark.parametrize("sound, unknown, found, expected", CASES.values(), ids=CASES.keys())
def test_recording_counts_are_dcase_task_5s(sound, unknown, found, expected):
    known, found = _known(sound, unknown), _found(found)
    assert truth.recording_counts(found, known, MIN_IOU_TH)["detections"] == len(found)
    assert _dcase(found, known) == expected
    assert _ours(found, known) == expected


def test_iou_exactly_at_the_bound_is_computed_exactly():
    """The 0.3 case compares 0.3 with itself: both compute 3/10 the same way."""
    assert truth.iou(_found([(0, 3)]), _spans([(0, 10)]))[0, 0] == 0.3
    assert iou(np.array([[0.0], [10.0]]), np.array([[0.0], [3.0]]))[0, 0] == 0.3


def test_per_recording_counts_are_dcase_task_5s_for_each_recording():
    """The cases above as recordings of one deployment: per_recording gives each its DCASE counts."""
    known, found = [], []
    for i, (sound, unknown, spans, _) in enumerate(CASES.values()):
        known.append(_known(sound, unknown, f"r{i}.wav"))
        found.append(_found(spans, f"r{i}.wav"))
    pooled = truth.Known(pd.concat([k.sound for k in known], ignore_index=True),
                         pd.concat([k.unknown for k in known], ignore_index=True),
                         frozenset().union(*(k.covered for k in known)))
    counts = truth.per_recording(pd.concat(found, ignore_index=True), pooled, {}, MIN_IOU_TH).set_index("source")
    for i, (k, f) in enumerate(zip(known, found)):
        row = counts.loc[f"r{i}.wav"]
        assert (row["matched"], row["detections"] - row["matched"] - row["unknown"],
                row["known"] - row["matched"]) == _dcase(f, k), f"r{i}.wav"


def _random_recording(seed, events=30, unknown=8, detections=30, seconds=120.0):
    """Events, unknown events and detections 0.2-4 s long at random times of one recording."""
    rng = np.random.default_rng(seed)

    def spans(n):
        begin = rng.uniform(0, seconds, n)
        return list(zip(begin, begin + rng.uniform(0.2, 4.0, n)))

    sound, unsure, found = spans(events), spans(unknown), spans(detections)
    order = rng.permutation(detections)  # detections in no particular order
    return _known(sound, unsure), _found([found[i] for i in order])


def test_recording_counts_are_dcase_task_5s_on_random_recordings():
    """50 seeded recordings of 30 events, 8 unknown events and 30 detections at random times:
    the same TP, FP and FN as evaluation.py; the cases hold matches, unknown matches and FP."""
    totals = np.zeros(3, dtype=int)
    unknown_matches = 0
    for seed in range(50):
        known, found = _random_recording(seed)
        assert _ours(found, known) == _dcase(found, known), f"seed {seed}"
        totals += _ours(found, known)
        unknown_matches += truth.recording_counts(found, known, MIN_IOU_TH)["unknown"]
    assert (totals > 0).all() and unknown_matches > 0


def test_recording_counts_are_dcase_task_5s_on_crowded_recordings():
    """Denser choruses (100 events, 30 unknown, 100 detections in 2 minutes), where a first
    round has many maximum matchings and the one taken decides the unknown matches."""
    for seed in range(10):
        known, found = _random_recording(seed, events=100, unknown=30, detections=100)
        assert _ours(found, known) == _dcase(found, known), f"seed {seed}"
