"""reefclr.deploy.calibration: the probability of the sound by score from the reviewed sample,
per site where the reviews allow and pooled otherwise, and the scores reaching 0.9-0.99."""

import numpy as np
import pandas as pd
import pytest

from reefclr.deploy import calibration


def _reviewed(n=400, a=-1.0, b=1.5, seed=0, sites=("reef01", "reef02")):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 2.5, n)
    y = rng.random(n) < 1 / (1 + np.exp(-(a + b * x)))
    return pd.DataFrame({"site": np.array(sites)[np.arange(n) % len(sites)], "score": 1 / (1 + np.exp(-x)),
                         "y": y.astype(int)})


def test_the_curve_recovers_a_known_calibration_and_its_thresholds():
    curves = calibration.fit(_reviewed(4000), seed=0).set_index("site")
    pooled = curves.loc["all"]
    assert pooled["fit"] == "pooled" and pooled["intercept"] == pytest.approx(-1.0, abs=0.2)
    assert pooled["slope"] == pytest.approx(1.5, abs=0.15)
    for p in calibration.LEVELS:  # the score where the true curve reaches p lies in the interval
        true = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + 1.0) / 1.5))
        name = f"score_p{int(p * 100)}"
        assert pooled[f"{name}_low"] <= true <= pooled[f"{name}_high"]
    assert (curves["fit"].drop("all") == "site").all()
    assert list(curves.reset_index().columns) == calibration.CURVE_COLUMNS


def test_a_site_with_few_reviews_takes_the_pooled_curve():
    reviewed = pd.concat([_reviewed(400), _reviewed(6, sites=("quiet",), seed=2).assign(y=[1, 0, 0, 0, 0, 0])])
    curves = calibration.fit(reviewed, seed=0).set_index("site")
    assert curves.loc["quiet", "fit"] == "pooled" and curves.loc["quiet", "reviewed"] == 6
    assert curves.loc["quiet", "slope"] == curves.loc["all", "slope"]
    windows = pd.DataFrame({"site": ["quiet", "reef01", "elsewhere"], "score": [0.9, 0.9, 0.9]})
    p = calibration.per_window(windows, curves.reset_index())
    assert p[0] == p[2] == pytest.approx(calibration.probability(np.array([0.9]), curves.loc["all"])[0])


def test_no_threshold_where_the_curve_does_not_rise():
    flat = _reviewed(600, a=0.0, b=-0.5)
    row = calibration.fit(flat, seed=0).set_index("site").loc["all"]
    assert np.isnan(row["score_p90"])


def test_points_and_thresholds_to_draw():
    curves = calibration.fit(_reviewed(1000), seed=0)
    points = calibration.curve_points(curves, n=50)
    assert set(points["site"]) == {"all", "reef01", "reef02"} and len(points) == 3 * 50
    assert points.groupby("site")["probability"].apply(lambda p: p.is_monotonic_increasing).all()
    t = calibration.thresholds(curves)
    assert t["level"].tolist() == list(calibration.LEVELS) and t["score"].is_monotonic_increasing
    assert calibration.thresholds(curves.iloc[:0]).empty and calibration.curve_points(curves.iloc[:0]).empty
