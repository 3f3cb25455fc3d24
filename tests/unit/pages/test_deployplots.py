"""reefclr.pages.deployplots: the deployment figures render, with what they must show."""

import numpy as np
import pandas as pd
from PIL import Image

from reefclr.deploy import calibration
from reefclr.pages import deployplots


def _not_blank(path) -> bool:
    pixels = np.asarray(Image.open(path).convert("L"), float)
    return Image.open(path).size[0] > 300 and pixels.std() > 5


def _hourly():
    rows = [dict(site=s, date=d, hour=h, recorded_min=2.0, events=int(h == 19), events_per_hour=30.0 * (h == 19),
                 mean_score=0.2, windows=62) for s in ("reef01", "reef02") for d in ("2023-04-01", "2023-04-02")
            for h in (0, 8, 19)]
    return pd.DataFrame(rows)


def test_detections_by_hour_and_date(tmp_path):
    deployplots.diel(_hourly(), "fish", tmp_path / "diel.png")
    deployplots.detection_series(_hourly(), "fish", tmp_path / "series.png")
    assert _not_blank(tmp_path / "diel.png") and _not_blank(tmp_path / "series.png")


def test_density_by_hour_with_unreliable_and_missing_rows(tmp_path):
    rows = [dict(site="reef01", kind="site", hour=pd.NA, density=0.1, low=0.05, high=0.2, reliable=True)]
    rows += [dict(site="reef01", kind="hour", hour=h, density=d, low=d / 2, high=d * 2, reliable=h != 4,
                  true_density=d) for h, d in ((0, 0.05), (4, 0.02), (19, 0.4))]
    rows += [dict(site="reef02", kind="site", hour=pd.NA, density=np.nan, low=np.nan, high=np.nan, reliable=False),
             dict(site="reef02", kind="hour", hour=0, density=np.nan, low=np.nan, high=np.nan, reliable=False)]
    deployplots.density_diel(pd.DataFrame(rows), "fish", 0.9, tmp_path / "density.png")
    assert _not_blank(tmp_path / "density.png")


def test_calibration_curve_and_rounds(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(0, 2, 300)
    reviewed = pd.DataFrame({"site": np.where(np.arange(300) % 2, "a", "b"), "score": 1 / (1 + np.exp(-x)),
                             "y": (rng.random(300) < 1 / (1 + np.exp(-(x - 1)))).astype(int)})
    curves = calibration.fit(reviewed, 0)
    deployplots.calibration(reviewed, calibration.curve_points(curves), calibration.thresholds(curves), "fish",
                            tmp_path / "calibration.png")
    deployplots.calibration(None, calibration.curve_points(curves.iloc[:0]), calibration.thresholds(curves.iloc[:0]),
                            "fish", tmp_path / "none.png")
    table = pd.DataFrame({"round": [0, 1, 2], "reviewed": [0, 120, 240], "density": [0.1, 0.12, 0.13],
                          "density_low": [0.05, 0.08, 0.1], "density_high": [0.2, 0.18, 0.16],
                          "true_density": [0.13] * 3, "roc_auc": [0.6, 0.7, 0.8], "roc_auc_low": [0.5, 0.6, 0.7],
                          "roc_auc_high": [0.7, 0.8, 0.9], "event_f1": [0.1, 0.2, 0.25], "event_f1_low": [0.05] * 3,
                          "event_f1_high": [0.3] * 3})
    deployplots.rounds(table, "fish", tmp_path / "rounds.png")
    assert _not_blank(tmp_path / "calibration.png") and _not_blank(tmp_path / "rounds.png")
    assert Image.open(tmp_path / "none.png").size[0] > 300
