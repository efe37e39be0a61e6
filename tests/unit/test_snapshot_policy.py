"""Snapshot and warehouse → whether the snapshot may rebuild it: over a snapshot's own warehouse only, never
over data a refresh brought, whatever the file times say."""

from __future__ import annotations

import os
import shutil
import time

import duckdb
import pytest

from aiplan.cli import main
from pipelines import warehouse
from pipelines.settings import REPO_ROOT

SNAPSHOT = REPO_ROOT / "data" / "snapshot"


@pytest.fixture
def snapshot(tmp_path):
    copy = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, copy)
    return copy


def _touch_all(folder):
    later = time.time() + 120
    for f in folder.rglob("*"):
        os.utime(f, (later, later))


def _mark(path, built_from: str) -> None:
    con = duckdb.connect(str(path))
    con.execute("UPDATE build_info SET built_from = ?", [built_from])
    con.close()


def test_no_warehouse_is_built(tmp_path, snapshot):
    assert warehouse.snapshot_build_needed(tmp_path / "wh.duckdb", snapshot)[0] is True


def test_a_snapshot_warehouse_is_kept_until_the_snapshot_changes(tmp_path, snapshot):
    wh = tmp_path / "wh.duckdb"
    warehouse.build_from_snapshot(snapshot, wh)
    _touch_all(snapshot)  # a checkout touches files without changing them
    assert warehouse.snapshot_build_needed(wh, snapshot) == (False, "the warehouse is the bundled snapshot's")
    manifest = snapshot / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"generator"', '"generator" ', 1))
    needed, why = warehouse.snapshot_build_needed(wh, snapshot)
    assert needed and "changed" in why


@pytest.mark.parametrize("origin", ["refresh", "raw"])
def test_a_refreshed_warehouse_is_never_replaced(tmp_path, snapshot, origin, monkeypatch):
    wh = tmp_path / "wh.duckdb"
    warehouse.build_from_snapshot(snapshot, wh)
    _mark(wh, origin)
    manifest = snapshot / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"generator"', '"generator" ', 1))
    needed, why = warehouse.snapshot_build_needed(wh, snapshot)
    assert not needed and origin in why
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(wh))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(snapshot))
    before = wh.read_bytes()
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    assert main(["build", "--from-snapshot"]) == 2  # refuses, says --discard-refreshed
    assert wh.read_bytes() == before
    assert main(["build", "--from-snapshot", "--discard-refreshed"]) == 0
    assert warehouse.built_from(wh)[0] == "snapshot"


def test_read_only_app_never_builds(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("AIPLAN_READ_ONLY", "1")
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not (tmp_path / "none.duckdb").exists()
    assert any("read-only" in e.value for e in at.error)
