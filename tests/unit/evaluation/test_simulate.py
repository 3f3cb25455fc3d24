"""reefclr.evaluation.simulate: the simulated sets have the random-effects structure, and the
reported intervals hold their coverage and type-I bounds (the fast version of bench/interval_coverage.py)."""

import logging

import numpy as np
import pytest

from helpers import defaults
from reefclr.evaluation import simulate

EV = defaults().evaluation


def test_draw_nests_clips_in_recordings_and_twins_share_labels():
    rng = np.random.default_rng(0)
    design = simulate.Design(recordings=4, recording_sd=3.0)
    tables = simulate.draw(design, rng, design.recordings)
    a, b = tables["a"], tables["b"]
    assert a["group"].nunique() == 8 and (a.groupby("group")["label"].nunique() == 1).all()
    assert a.groupby("group").size().between(5, 15).all()
    assert (a[["label", "group"]].to_numpy() == b[["label", "group"]].to_numpy()).all()
    x = a.filter(regex=r"^e\d+$").to_numpy()
    # a large recording effect: clips of one recording are closer to their recording's mean
    within = a.assign(d=list(x)).groupby("group")["d"].apply(lambda v: np.var(np.stack(v), axis=0).mean()).mean()
    assert within < 2.0 < np.var(x, axis=0).mean()


@pytest.mark.slow
def test_reported_intervals_cover_and_the_paired_test_holds_its_level():
    """200 simulated sets, 4 recordings per class: the reported interval covers the truth in at
    least 90% (95% nominal; 0.015 Monte-Carlo s.e.), more often than the corrected t alone, and
    the paired test of equally good embedders rejects in at most 8%."""
    logging.disable(logging.WARNING)
    try:
        results = simulate.runs(simulate.Design(recordings=4), EV, range(200))
    finally:
        logging.disable(logging.NOTSET)
    (row,) = simulate.coverage(results).to_dict("records")
    assert row["reported_coverage"] >= 0.90, row
    assert row["reported_coverage"] > row["corrected_coverage"], row
    assert row["reported_type1"] <= 0.08, row
    assert row["reliable"] == 1.0  # every class in 4 groups
