"""reefclr.deploy.events: windows above the threshold merged into events per recording, and
their site x date x hour and site x date summaries."""

import pandas as pd
import pytest

from reefclr.deploy import events


def _scores():
    """Five windows of reef01/a.wav (four above 0.5) and one of reef02/b.wav, from 19:00."""
    time = pd.Timestamp("2023-04-01 19:00:00")
    rows = [("a.wav", 0.0, 0.9), ("a.wav", 1.92, 0.8), ("a.wav", 3.84, 0.1), ("a.wav", 5.76, 0.7),
            ("a.wav", 9.6, 0.95), ("b.wav", 0.0, 0.2)]
    return pd.DataFrame([dict(source=s, site="reef01" if s == "a.wav" else "reef02", offset_s=o, end_s=o + 1.92,
                              time=time + pd.Timedelta(seconds=o), score=sc) for s, o, sc in rows])


def test_detections_merge_into_events():
    found = events.events(_scores(), 0.5, merge_gap_s=1.0)
    assert list(found.columns) == events.EVENT_COLUMNS
    assert found[["offset_s", "end_s", "windows"]].values.tolist() == [[0.0, 3.84, 2], [5.76, 7.68, 1],
                                                                        [9.6, 11.52, 1]]
    assert found["score"].tolist() == [0.9, 0.7, 0.95] and found["site"].tolist() == ["reef01"] * 3
    wide = events.events(_scores(), 0.5, merge_gap_s=2.0)  # gaps of 1.92 s close
    assert wide[["offset_s", "end_s", "windows"]].values.tolist() == [[0.0, 11.52, 4]]


def test_events_never_merge_across_recordings():
    scores = _scores().assign(source=lambda d: d["source"].where(d["offset_s"] < 5, "c.wav"))
    found = events.events(scores, 0.5, merge_gap_s=100.0)
    assert found[["source", "offset_s", "windows"]].values.tolist() == [["a.wav", 0.0, 2], ["c.wav", 5.76, 2]]


def test_a_threshold_nothing_reaches_gives_no_events_with_the_columns():
    found = events.events(_scores(), 0.99, merge_gap_s=1.0)
    assert found.empty and list(found.columns) == events.EVENT_COLUMNS


def test_site_hour_summaries_count_effort_and_events():
    scores = _scores()
    hourly, daily = events.summaries(scores, events.events(scores, 0.5, 1.0), hop_s=1.92)
    a = hourly[hourly["site"] == "reef01"].iloc[0]
    assert (a["date"], a["hour"], a["events"], a["windows"]) == ("2023-04-01", 19, 3, 5)
    assert a["recorded_min"] == pytest.approx(5 * 1.92 / 60)
    assert a["events_per_hour"] == pytest.approx(3 / (5 * 1.92 / 3600))
    b = hourly[hourly["site"] == "reef02"].iloc[0]
    assert b["events"] == 0 and b["mean_score"] == pytest.approx(0.2)
    assert daily["events"].sum() == 3 and list(daily.columns) == ["site", "date", "recorded_min", "events",
                                                                   "events_per_hour", "mean_score", "windows"]


def test_windows_without_a_time_are_left_out_of_the_summaries():
    scores = _scores()
    scores.loc[scores["source"] == "b.wav", "time"] = pd.NaT
    hourly, daily = events.summaries(scores, events.events(scores, 0.5, 1.0), hop_s=1.92)
    assert hourly["site"].tolist() == ["reef01"] and daily["windows"].tolist() == [5]
