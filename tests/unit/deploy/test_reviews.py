"""reefclr.deploy.reviews: review samples written as Raven tables, reviewed tables read back as
labelled deployment windows with their design cells, and the classifier's own reviewed windows."""

import numpy as np
import pandas as pd
import pytest

from helpers import defaults
from reefclr.deploy import reviews, sampling

MARKS = reviews.Marks("Review", ("y",), ("n",))


def _scores():
    """Six windows of reef01/a.wav and reef02/b.wav with scores, as the deployment's score table."""
    time = pd.Timestamp("2023-04-01 19:00:00")
    rows = [("reef01/a.wav", 0.0, 0.9), ("reef01/a.wav", 1.92, 0.8), ("reef01/a.wav", 3.84, 0.1),
            ("reef01/a.wav", 5.76, 0.7), ("reef01/a.wav", 9.6, 0.95), ("reef02/b.wav", 0.0, 0.2)]
    return pd.DataFrame([dict(clip_id=f"w{i}", source=s, site=s.split("/")[0], offset_s=o, end_s=o + 1.92,
                              time=time + pd.Timedelta(seconds=o), score=sc) for i, (s, o, sc) in enumerate(rows)])


def _table(path, **columns):
    pd.DataFrame(columns).to_csv(path, sep="\t", index=False)
    return path


def _review(path, marks):
    """Fill the Review column of a written sample, row by row."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    table.assign(Review=marks).to_csv(path, sep="\t", index=False)


def test_reviewed_hits_with_an_unknown_value_name_the_file_and_row(tmp_path):
    windows = _scores()
    table = _table(tmp_path / "hits.txt", **{"Begin File": ["a.wav", "a.wav", "b.wav"],
                                             "Begin Time (s)": [0.0, 1.92, 0.0], "Review": ["y", "", "n"]})
    examples = reviews.read_reviewed(table, MARKS, windows)
    assert examples["y"].tolist() == [1, 0] and examples["group"].tolist() == ["reef01/a.wav", "reef02/b.wav"]
    assert examples["clip_id"].tolist() == ["w0", "w5"]
    _table(table, **{"Begin File": ["a.wav"], "Begin Time (s)": [0.0], "Review": ["maybe"]})
    with pytest.raises(ValueError, match=r"hits.txt: row 1: Review 'maybe' is neither positive \['y'\]"):
        reviews.read_reviewed(table, MARKS, windows)
    _table(table, **{"Begin File": ["c.wav"], "Begin Time (s)": [0.0], "Review": ["y"]})
    with pytest.raises(ValueError, match="row 1: no window of the deployment starts at 0.0 s in c.wav"):
        reviews.read_reviewed(table, MARKS, windows)


def test_a_table_without_its_columns_or_any_mark_is_refused(tmp_path):
    table = _table(tmp_path / "hits.txt", **{"Begin File": ["a.wav"], "Begin Time (s)": [0.0]})
    with pytest.raises(ValueError, match=r"hits.txt: reviewed table lacks column\(s\) \['Review'\]"):
        reviews.read_reviewed(table, MARKS, _scores())
    _table(table, **{"Begin File": ["a.wav"], "Begin Time (s)": [0.0], "Review": [""]})
    with pytest.raises(ValueError, match="hits.txt: no reviewed rows"):
        reviews.read_reviewed(table, MARKS, _scores())


def test_reviewed_windows_by_source_path_with_unsure_marks_left_out(tmp_path):
    """Two sites with recordings of the same file name: the Source column tells them apart; a
    table without it is refused rather than matched twice."""
    windows = pd.DataFrame({"source": ["reef01/a.wav", "reef02/a.wav"], "offset_s": [0.0, 0.0],
                            "end_s": 1.92, "site": ["reef01", "reef02"], "clip_id": ["w0", "w1"]})
    table = _table(tmp_path / "validation.txt", **{"Begin File": ["a.wav", "a.wav"],
                                                   "Source": ["reef02/a.wav", "reef01/a.wav"],
                                                   "Begin Time (s)": [0.0, 0.0], "Review": ["y", "u"]})
    marked = reviews.read_reviewed(table, reviews.Marks("Review", ("y",), ("n",), ("u",)), windows)
    assert marked[["clip_id", "y"]].values.tolist() == [["w1", 1]]
    _table(table, **{"Begin File": ["a.wav"], "Begin Time (s)": [0.0], "Review": ["y"]})
    with pytest.raises(ValueError, match="row 1: 2 recordings are named a.wav .*add a Source column"):
        reviews.read_reviewed(table, MARKS, windows)


def test_a_written_sample_reads_back_with_its_design_cells_and_classifier(tmp_path):
    scores = _scores()
    edges = np.array([0.5])  # two score bins
    sample = scores.iloc[[0, 2, 5]].assign(cell=[1, 0, 0], cell_windows=[4, 1, 1])
    path = tmp_path / "validation.txt"
    reviews.write_sample(path, sample, "fish", edges, "c0ffee")
    written = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    assert written["Source"].tolist() == ["reef01/a.wav", "reef01/a.wav", "reef02/b.wav"]
    assert written["Begin File"].tolist() == ["a.wav", "a.wav", "b.wav"]
    assert written["Bin"].tolist() == ["2", "1", "1"] and written["Cell"].tolist() == ["2", "1", "1"]
    assert set(written["Classifier"]) == {"c0ffee"} and set(written["Review"]) == {""}
    _review(path, ["y", "n", "n"])
    back = reviews.read_reviewed(path, MARKS, scores)
    assert back["clip_id"].tolist() == ["w0", "w2", "w5"] and back["y"].tolist() == [1, 0, 0]
    assert back["cell"].tolist() == [1, 0, 0] and back["cell_windows"].tolist() == [4, 1, 1]
    assert set(back["classifier"]) == {"c0ffee"}


def test_an_active_sample_without_cells_reads_back_with_none(tmp_path):
    path = tmp_path / "active.txt"
    reviews.write_sample(path, _scores().iloc[[1]], "fish", np.array([0.5]), "c0ffee")
    _review(path, ["y"])
    back = reviews.read_reviewed(path, MARKS, _scores())
    assert pd.isna(back.loc[0, "cell"]) and pd.isna(back.loc[0, "cell_windows"])


def _reviewed(classifier, cell=(pd.NA, pd.NA), cell_windows=(pd.NA, pd.NA)):
    """Windows w0 (score 0.9) and w5 (0.2) as read back from a reviewed table."""
    return _scores().iloc[[0, 5]].reset_index(drop=True).assign(
        y=[1, 0], cell=list(cell), cell_windows=list(cell_windows), classifier=classifier)


def test_a_sample_of_these_scores_takes_the_current_score_bins_as_cells():
    scores, edges = _scores(), np.array([0.5])
    for sha, note in (("c0ffee", "drawn from these scores"), ("", "assumed drawn from these scores")):
        design = reviews.with_design(_reviewed(sha), scores, edges, "c0ffee")
        assert design.own and note in design.note
        # w0: reef01's upper bin (4 windows); w5: reef02's lower bin (1 window)
        assert design.windows["cell"].tolist() == [1, 0] and design.windows["cell_windows"].tolist() == [4, 1]


def test_a_sample_of_another_classifier_keeps_its_own_cells_or_is_refused_without_them():
    scores, edges = _scores(), np.array([0.5])
    design = reviews.with_design(_reviewed("0ld", (0, 2), (7, 9)), scores, edges, "c0ffee")
    assert not design.own and "['0ld'], not c0ffee" in design.note
    assert design.windows["cell"].tolist() == [0, 2] and design.windows["cell_windows"].tolist() == [7, 9]
    with pytest.raises(ValueError, match=r"classifier\(s\) \['0ld'\], not c0ffee, without their Cell"):
        reviews.with_design(_reviewed("0ld"), scores, edges, "c0ffee")


def test_census_takes_the_classifiers_own_reviewed_windows_outside_the_sample(tmp_path):
    cfg = defaults(deploy={"classifiers": {"fish": {"reviewed": "fish.txt", "positive": ["yes"],
                                                    "negative": ["no"]}}}).deploy.classifiers["fish"]
    scores = _scores()
    sample = scores.iloc[[0]]
    marks = reviews.training_marks(cfg, ("u",))
    assert marks == reviews.Marks("Review", ("yes",), ("no",), ("u",))
    assert reviews.census([], marks, scores, sample).empty
    table = _table(tmp_path / "fish.txt", **{"Begin File": ["a.wav", "a.wav", "b.wav", "a.wav"],
                                             "Begin Time (s)": [0.0, 1.92, 0.0, 3.84],
                                             "Review": ["yes", "yes", "no", "u"]})
    known = reviews.census([str(table)], marks, scores, sample)
    assert known["clip_id"].tolist() == ["w1", "w5"] and known["y"].tolist() == [1, 0]
    assert set(known["cell"]) == {sampling.CENSUS} and set(known["cell_windows"]) == {1}
