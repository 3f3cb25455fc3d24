"""reefclr.core.progress: each_dataset yields the rows of a per-embedder job in order and logs each one."""

import logging

import pytest

from reefclr.core.progress import each_dataset


def test_rows_come_in_order_each_logged_with_its_time(caplog):
    caplog.set_level(logging.INFO, logger="reefclr")
    rows = list(each_dataset(["test_a", "test_b"], ["a.parquet", "b.parquet"], ["a.json", "b.json"]))
    assert rows == [("test_a", "a.parquet", "a.json"), ("test_b", "b.parquet", "b.json")]
    messages = [r.getMessage() for r in caplog.records if r.name == "reefclr"]
    assert messages[0] == "test_a (1/2)" and messages[2] == "test_b (2/2)"
    assert messages[1].startswith("test_a done in ") and messages[3].startswith("test_b done in ")
    assert all(m.endswith(" s") for m in messages[1::2]) and len(messages) == 4


def test_paths_that_do_not_match_the_datasets_are_an_error():
    assert list(each_dataset([])) == []
    with pytest.raises(ValueError):
        list(each_dataset(["test_a", "test_b"], ["a.parquet"]))
