"""A tiny snapshot (from the fixture warehouse) → `aiplan build --from-snapshot --if-needed` and the app
build the warehouse when there is none, rebuild it when the snapshot changed; older layouts keep history."""

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


# ------------------------------------------------------- schema carry-over of a snapshot-built warehouse

# A revision as a refresh would record it; the numbers are synthetic, for the carry-over logic only.
HISTORY = ("eurostat", "nrg_ind_ren", "freq=A|nrg_bal=REN|unit=PC", "BE", "2020", 11.111, None, None,
           "2025-01-01", 22.222, None, None, "2025-02-02", "2025-02-03 04:05:06")  # fmt: skip


def _older_layout_with_history(wh):
    """The warehouse rewritten as layout 1 (before schema_version and observations.edition), with history."""
    import duckdb

    con = duckdb.connect(str(wh))
    # Layout 1 held the publishers' dates as text: its history table is recreated so, row inserted by name.
    con.execute("DROP TABLE observation_history")
    con.execute(
        "CREATE TABLE observation_history (source VARCHAR, dataset VARCHAR, series_key VARCHAR, geo VARCHAR, "
        "period VARCHAR, old_value DOUBLE, old_obs_flag VARCHAR, old_conf_flag VARCHAR, "
        "old_upstream_updated VARCHAR, new_value DOUBLE, new_obs_flag VARCHAR, new_conf_flag VARCHAR, "
        "new_upstream_updated VARCHAR, changed_at TIMESTAMP)"
    )
    con.execute(f"INSERT INTO observation_history VALUES ({', '.join('?' * len(HISTORY))})", list(HISTORY))
    con.execute("DROP TABLE schema_version")
    # recreated without the column (a CHECK on edition keeps ALTER TABLE ... DROP COLUMN from dropping it)
    con.execute("CREATE TABLE observations_old AS SELECT * EXCLUDE (edition) FROM observations")
    con.execute("DROP TABLE observations")
    con.execute("ALTER TABLE observations_old RENAME TO observations")
    con.close()


def test_a_snapshot_built_warehouse_of_an_older_layout_keeps_its_history(env, tmp_path):
    wh, snap = env
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    n = _n_obs(wh)
    _older_layout_with_history(wh)
    empty_raw = tmp_path / "raw"
    empty_raw.mkdir()
    warehouse.build_refresh(empty_raw, wh, snap, [])  # nothing new: only the carry-over runs
    con = warehouse.connect_read_only(wh)
    try:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == n
        [row] = con.execute(
            "SELECT source, dataset, series_key, geo, period, old_value, new_value, old_upstream_stated, "
            "new_upstream_stated FROM observation_history"
        ).fetchall()
        assert row[:6] == HISTORY[:6] and row[6] == HISTORY[9] and row[7:] == (HISTORY[8], HISTORY[12])
        assert (
            con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == warehouse.SCHEMA_VERSION
        )
        assert con.execute("SELECT count(*) FROM observations WHERE edition IS NOT NULL").fetchone()[0] == 0
    finally:
        con.close()


def test_a_warehouse_of_a_newer_layout_is_refused_and_left_untouched(env, tmp_path):
    import duckdb

    wh, snap = env
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    con = duckdb.connect(str(wh))
    con.execute("INSERT INTO schema_version VALUES (?)", [warehouse.SCHEMA_VERSION + 1])
    con.close()
    before = wh.read_bytes()
    (tmp_path / "raw").mkdir()
    with pytest.raises(warehouse.BuildError, match="newer"):
        warehouse.build_refresh(tmp_path / "raw", wh, snap, [])
    assert wh.read_bytes() == before
