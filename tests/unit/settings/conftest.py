"""The demo's validated config and its records, shared by the settings tests."""

import pytest

from helpers import workflow_config
from reefclr import settings


@pytest.fixture(scope="session")
def demo():
    config = workflow_config()
    return config, settings.load(config)
