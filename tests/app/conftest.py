"""App tests run on the tiny fixture warehouse (tests/conftest.py); the few needing the full data say why."""

import pytest

from pipelines.settings import REPO_ROOT

SNAPSHOT = REPO_ROOT / "data" / "snapshot"


@pytest.fixture
def app_env(fixture_env):
    """The warehouse built from the committed excerpts (a few Eurostat datasets and DESI records)."""
    return fixture_env


@pytest.fixture
def full_app_env(snapshot_warehouse, monkeypatch):
    """The warehouse built from the committed snapshot: only for what the excerpts cannot hold."""
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(snapshot_warehouse))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(SNAPSHOT))
    return snapshot_warehouse
