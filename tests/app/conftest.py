"""App tests run on a warehouse built from the committed snapshot, in a temporary folder."""

import pytest

from pipelines.settings import REPO_ROOT

SNAPSHOT = REPO_ROOT / "data" / "snapshot"


@pytest.fixture
def app_env(snapshot_warehouse, monkeypatch):
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(snapshot_warehouse))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(SNAPSHOT))
    return snapshot_warehouse
