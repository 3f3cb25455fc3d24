"""reefclr.data.timestamps: recording start times from hydrophone file names."""

from datetime import datetime

import pytest

from reefclr.data.timestamps import parse_timestamp


@pytest.mark.parametrize("name, expected", [
    ("5783.230315123000.wav", datetime(2023, 3, 15, 12, 30, 0)),  # SoundTrap <serial>.YYMMDDhhmmss
    ("rec/5783.230315123000.wav", datetime(2023, 3, 15, 12, 30, 0)),
    ("reef01_20230401_190000.wav", datetime(2023, 4, 1, 19, 0, 0)),  # AudioMoth YYYYMMDD_hhmmss
    ("20230209T162000.WAV", datetime(2023, 2, 9, 16, 20, 0)),  # YYYYMMDDThhmmss
    ("logger-20221231-235959.flac", datetime(2022, 12, 31, 23, 59, 59)),  # YYYYMMDD-hhmmss
    ("test_data.australia.class0.degraded_moth32.20230209_162000.wav", datetime(2023, 2, 9, 16, 20, 0)),
    ("site_2023-04-01_19-05-30.wav", datetime(2023, 4, 1, 19, 5, 30)),  # ISO-like with separators
    ("2023-04-01T19:05:30.wav", datetime(2023, 4, 1, 19, 5, 30)),
])
def test_each_documented_pattern(name, expected):
    assert parse_timestamp(name) == expected


@pytest.mark.parametrize("name", ["grunt.wav", "rec1.wav", "5783.2303151230.wav", "120230401_190000.wav",
                                  "20231301_190000.wav", "2023-04-01.wav", ""])
def test_a_name_without_a_valid_time_gives_none(name):
    """No pattern, digits that run on past the pattern, or a date that does not exist (month 13)."""
    assert parse_timestamp(name) is None
