"""A tiny snapshot (from the fixture warehouse) → `aiplan build --from-snapshot --if-needed` and the app build
the warehouse when there is none and rebuild it when the snapshot changed, not otherwise."""

import json
import shutil

import pytest

from aiplan.cli import main
from pipelines import snapshot, warehouse
from pipelines.settings import REPO_ROOT


@pytest.fixture(scope="module")
def tiny_snapshot(fixture_warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny") / "snapshot"
    con = warehouse.connect_read_only(fixture_warehouse)
    try:
        snapshot.write_snapshot(con, folder)
    finally:
        con.close()
    return folder


@pytest.fixture
def env(tiny_snapshot, tmp_path, monkeypatch):
    snap = tmp_path / "snapshot"
    shutil.copytree(tiny_snapshot, snap)
    wh = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(wh))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(snap))
    monkeypatch.delenv("AIPLAN_READ_ONLY", raising=False)
    return wh, snap


def _n_obs(wh):
    con = warehouse.connect_read_only(wh)
    try:
        return con.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        con.close()


def _drop_one_dataset(snap):
    """A changed snapshot: its manifest lists one dataset fewer (as a new bundle without it would)."""
    path = snap / "manifest.json"
    manifest = json.loads(path.read_text())
    dropped = manifest["datasets"].pop()
    path.write_text(json.dumps(manifest, indent=1))
    return dropped


def test_if_needed_builds_when_there_is_no_warehouse_then_keeps_it(env):
    wh, snap = env
    assert not wh.exists()
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    manifest = json.loads((snap / "manifest.json").read_text())
    assert _n_obs(wh) == sum(d["n_obs"] for d in manifest["datasets"]) > 0
    before = wh.read_bytes()
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    assert wh.read_bytes() == before  # the same snapshot: not rebuilt


def test_if_needed_rebuilds_when_the_snapshot_changed(env):
    wh, snap = env
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    full = _n_obs(wh)
    dropped = _drop_one_dataset(snap)
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    assert _n_obs(wh) == full - dropped["n_obs"]
    assert warehouse.built_from(wh) == ("snapshot", warehouse.snapshot_sha256(snap))


def test_the_app_builds_a_missing_warehouse_from_the_snapshot(env):
    from streamlit.testing.v1 import AppTest

    wh, snap = env
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    assert warehouse.built_from(wh) == ("snapshot", warehouse.snapshot_sha256(snap))
