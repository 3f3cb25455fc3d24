"""reefclr.deploy.occupancy: detection histories per site and occasion in the wide layout of R's
unmarked, NA where a site was not recorded."""

import pandas as pd
import pytest

from reefclr.deploy import events, occupancy


def _scores():
    """reef01 (a.wav, four windows above 0.5) recorded on 1 April only; reef02 (b.wav, c.wav, no
    detection) on 1 and 2 April."""
    time = pd.Timestamp("2023-04-01 19:00:00")
    rows = [("a.wav", 0.0, 0.9), ("a.wav", 1.92, 0.8), ("a.wav", 3.84, 0.1), ("a.wav", 5.76, 0.7),
            ("a.wav", 9.6, 0.95), ("b.wav", 0.0, 0.2)]
    day1 = pd.DataFrame([dict(source=s, site="reef01" if s == "a.wav" else "reef02", offset_s=o, end_s=o + 1.92,
                              time=time + pd.Timedelta(seconds=o), score=sc) for s, o, sc in rows])
    day2 = day1[day1.source == "b.wav"].assign(time=pd.Timestamp("2023-04-02 03:00"), source="c.wav")
    return pd.concat([day1, day2], ignore_index=True)


def test_detection_history_is_unmarked_wide_with_na_where_not_recorded():
    scores = _scores()
    found = events.events(scores, 0.5, 1.0)
    history = occupancy.detection_history(scores, found, "day", hop_s=1.92).set_index("site")
    assert list(history.columns) == ["y.1", "y.2", "effort.1", "effort.2"]
    assert occupancy.history_occasions(scores, "day") == ["2023-04-01", "2023-04-02"]
    assert history.loc["reef01", "y.1"] == 1 and pd.isna(history.loc["reef01", "y.2"])  # not recorded on day 2
    assert pd.isna(history.loc["reef01", "effort.2"])
    assert history.loc["reef02", "y.1"] == 0 and history.loc["reef02", "y.2"] == 0
    assert history.loc["reef01", "effort.1"] == pytest.approx(5 * 1.92 / 60)
    hourly = occupancy.detection_history(scores, found, "hour", hop_s=1.92)
    assert occupancy.history_occasions(scores, "hour") == ["2023-04-01T19", "2023-04-02T03"] and len(hourly) == 2


def test_an_unknown_occasion_is_refused():
    with pytest.raises(ValueError, match="unknown deploy.detect.occasion 'week'; known: day, hour"):
        occupancy.history_occasions(_scores(), "week")
