"""Fixtures of the workflow tests."""

from pathlib import Path

import pytest
from snakerun import copy_workflow


@pytest.fixture
def workflow_copy(tmp_path) -> Path:
    return copy_workflow(tmp_path / "wf")
