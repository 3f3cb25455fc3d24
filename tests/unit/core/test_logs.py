"""reefclr.core.logs: setup_logging sends logging records, warnings and stderr to the rule's log file."""

import logging
import sys
import warnings

import pytest

from reefclr.core.logs import setup_logging


@pytest.fixture
def restore_logging():
    """setup_logging rewires the process; put the root logger, stderr and warnings back."""
    root = logging.getLogger()
    handlers, level, stderr = root.handlers[:], root.level, sys.stderr
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.stderr = stderr
    logging.captureWarnings(False)


def test_logging_warnings_and_stderr_go_to_the_log_file(tmp_path, restore_logging):
    path = tmp_path / "logs" / "rule" / "job.log"
    log = setup_logging(path)
    assert log.name == "reefclr" and path.exists()  # its folder made
    logging.getLogger("reefclr.data.ingest").info("ingested %d clips", 12)
    logging.getLogger("reefclr").debug("below the level")
    print("a tqdm bar", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("a library's warning", UserWarning)
    text = path.read_text()
    assert "INFO reefclr.data.ingest: ingested 12 clips" in text
    assert "a tqdm bar\n" in text and "UserWarning: a library's warning" in text
    assert "below the level" not in text


def test_a_second_job_appends_and_replaces_the_handlers(tmp_path, restore_logging):
    path = tmp_path / "job.log"
    setup_logging(path)
    logging.getLogger("reefclr").info("first")
    setup_logging(path, level=logging.DEBUG)
    assert len(logging.getLogger().handlers) == 1  # no message twice
    logging.getLogger("reefclr").debug("second")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and lines[0].endswith("reefclr: first") and lines[1].endswith("DEBUG reefclr: second")
