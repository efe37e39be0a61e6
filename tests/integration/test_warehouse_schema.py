"""The committed snapshot → a warehouse that keeps every invariant; a layout-5 warehouse (text upstream dates,
DESI editions and Statbel geography in labels) migrated with its history; a broken build refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from aiplan.cli import main
from pipelines import invariants, reports, warehouse
from pipelines.settings import REPO_ROOT
from presentation.i18n import t

SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "snapshot"


@pytest.fixture
def built(snapshot_warehouse) -> Path:
    """The session's snapshot warehouse (tests copy it before they change anything)."""
    return snapshot_warehouse


def _rows(path: Path, sql: str) -> list[tuple]:
    con = warehouse.connect_read_only(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("inv", invariants.load_invariants(), ids=lambda i: i.name)
def test_each_invariant_holds_on_the_snapshot_build(built, inv):
    assert _rows(built, inv.sql) == []


def test_editions_and_geography_have_their_own_tables(built):
    assert _rows(built, "SELECT count(*) FROM labels WHERE dimension = 'edition' OR dimension LIKE 'geo.%' "
                        "OR (source = 'statbel' AND dimension = 'geo')") == [(0,)]  # fmt: skip
    # The snapshot's own edition rows (labels.parquet) agree with observations.edition, value by value.
    disagree = _rows(
        built,
        f"SELECT count(*) FROM read_parquet('{SNAPSHOT / 'labels.parquet'}') l JOIN observations o "
        "ON o.source = l.source AND o.dataset = l.dataset AND l.code = o.series_key || '|' || o.geo || '|' "
        "|| o.period WHERE l.dimension = 'edition' AND o.edition <> 'desi_' || substr(l.label, 6)",
    )
    assert disagree == [(0,)]
    # Liège (62063): district 62000, province 60000, region 03000, named in French by the file.
    parents = dict(_rows(built, "SELECT level, parent FROM statbel_geo_parents WHERE geo = '62063'"))
    assert parents == {"cd_dstr_refnis": "62000", "cd_prov_refnis": "60000", "cd_rgn_refnis": "03000"}
    assert _rows(built, "SELECT name FROM statbel_geo_names WHERE level = 'geo' AND code = '62063' "
                        "AND lang = 'fr'") == [("Liège",)]  # fmt: skip


def _as_layout_5(path: Path) -> None:
    """Rewrite a current warehouse the way layout 5 held it: upstream dates as text only, DESI editions and
    the Statbel geography as label rows, no geography tables."""
    con = duckdb.connect(str(path))
    try:
        for table, pairs in (("observations", [""]), ("datasets", [""]), ("fetches", [""]),
                             ("observation_history", ["old_", "new_"])):  # fmt: skip
            drop = ", ".join(f"{p}upstream_updated, {p}upstream_stated" for p in pairs)
            text = ", ".join(f"{p}upstream_stated AS {p}upstream_updated" for p in pairs)
            con.execute(f"CREATE TABLE {table}_v5 AS SELECT * EXCLUDE ({drop}), {text} FROM {table}")
            con.execute(f"DROP TABLE {table}")
            con.execute(f"ALTER TABLE {table}_v5 RENAME TO {table}")
        con.execute("CREATE TABLE labels_v5 AS SELECT * FROM labels")
        con.execute(
            "INSERT INTO labels_v5 SELECT 'desi', dataset, 'edition', "
            "series_key || '|' || geo || '|' || period, 'en', 'DESI ' || substr(edition, 6) "
            "FROM observations WHERE dataset = 'desi_2022'"
        )
        con.execute(
            "INSERT INTO labels_v5 SELECT 'statbel', dataset, level, code, lang, name FROM statbel_geo_names"
        )
        con.execute(
            "INSERT INTO labels_v5 SELECT 'statbel', dataset, 'geo.' || level, geo, 'zxx', parent "
            "FROM statbel_geo_parents"
        )
        for table in ("labels", "statbel_geo_names", "statbel_geo_parents"):
            con.execute(f"DROP TABLE {table}")
        con.execute("ALTER TABLE labels_v5 RENAME TO labels")
        con.execute("UPDATE schema_version SET version = 5")
        # A revision a refresh recorded, dated as layout 5 wrote it.
        con.execute(
            "INSERT INTO observation_history (source, dataset, series_key, geo, period, old_value, "
            "new_value, old_upstream_updated, new_upstream_updated, changed_at) VALUES ('eurostat', "
            "'nrg_ind_ren', 'freq=A|nrg_bal=REN|unit=PC', 'BE', '2023', 1.0, 2.0, '2024-12-17', "
            "'2025-03-07T23:00:00+0100', TIMESTAMP '2025-03-08 10:00:00')"
        )
    finally:
        con.close()


def test_layout_5_is_migrated_with_its_history_and_text_dates(built, tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(built, wh)
    before = _rows(wh, "SELECT source, dataset, upstream_stated FROM datasets ORDER BY ALL")
    labels = _rows(wh, "SELECT * FROM labels WHERE dataset <> '*' ORDER BY ALL")
    names = _rows(wh, "SELECT * FROM statbel_geo_names ORDER BY ALL")
    parents = _rows(wh, "SELECT * FROM statbel_geo_parents ORDER BY ALL")
    card = _card(wh)
    _as_layout_5(wh)
    assert _rows(wh, "SELECT data_type FROM information_schema.columns WHERE table_name = 'datasets' "
                     "AND column_name = 'upstream_updated'") == [("VARCHAR",)]  # fmt: skip
    empty_raw = tmp_path / "raw"
    empty_raw.mkdir()
    warehouse.build_refresh(empty_raw, wh, SNAPSHOT, [])
    assert _rows(wh, "SELECT version FROM schema_version") == [(warehouse.SCHEMA_VERSION,)]
    assert _rows(wh, "SELECT source, dataset, upstream_stated FROM datasets ORDER BY ALL") == before
    history = _rows(
        wh,
        "SELECT old_upstream_stated, new_upstream_stated, new_upstream_updated > old_upstream_updated, "
        "epoch(new_upstream_updated) FROM observation_history",
    )
    # 2025-03-07T23:00:00+0100 is 22:00 UTC: 1741384800 seconds after the epoch.
    assert history == [("2024-12-17", "2025-03-07T23:00:00+0100", True, 1741384800.0)]
    assert _rows(wh, "SELECT * FROM labels WHERE dataset <> '*' ORDER BY ALL") == labels
    assert _rows(wh, "SELECT * FROM statbel_geo_names ORDER BY ALL") == names
    assert _rows(wh, "SELECT * FROM statbel_geo_parents ORDER BY ALL") == parents
    assert _card(wh) == card


def _card(path: Path) -> str:
    con = warehouse.connect_read_only(path)
    try:
        card = reports.scorecard(con, "BE").model_dump(mode="json", exclude={"built_at", "built_from"})
    finally:
        con.close()
    return json.dumps(card, sort_keys=True, default=str)


def test_a_build_breaking_an_invariant_is_refused_and_the_warehouse_kept(built, tmp_path):
    snap = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, snap)
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["datasets"][0]["n_obs"] += 1  # the manifest no longer counts its file's rows
    (snap / "manifest.json").write_text(json.dumps(manifest))
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(built, wh)
    kept = wh.read_bytes()
    with pytest.raises(warehouse.BuildError, match="invariant dataset_counts_its_observations broken"):
        warehouse.build_from_snapshot(snap, wh)
    assert wh.read_bytes() == kept
    assert not list(tmp_path.glob(".warehouse.duckdb.*"))  # no temporary file left behind


def _as_refreshed_layout_5(built: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the build as a refresh wrote it in layout 5, the environment pointing at it."""
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    wh = data / "warehouse.duckdb"
    shutil.copy(built, wh)
    con = duckdb.connect(str(wh))
    con.execute("UPDATE build_info SET built_from = 'refresh'")
    con.close()
    _as_layout_5(wh)
    for name in ("AIPLAN_WAREHOUSE", "AIPLAN_RAW_DIR", "AIPLAN_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(SNAPSHOT))
    return wh


def test_make_run_carries_a_refreshed_warehouse_of_an_older_layout_over(built, tmp_path, monkeypatch):
    """`aiplan build --from-snapshot --if-needed` (what `make run` does) migrates it: still the refresh's data
    and history, never the snapshot's."""
    wh = _as_refreshed_layout_5(built, tmp_path, monkeypatch)
    history = _rows(wh, "SELECT count(*) FROM observation_history")
    assert warehouse.migration_needed(wh)
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    assert _rows(wh, "SELECT version FROM schema_version") == [(warehouse.SCHEMA_VERSION,)]
    assert _rows(wh, "SELECT built_from FROM build_info") == [("refresh",)]
    assert _rows(wh, "SELECT count(*) FROM observation_history") == history
    assert not warehouse.migration_needed(wh)


def test_a_read_only_app_says_the_layout_is_older_instead_of_failing(built, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    wh = _as_refreshed_layout_5(built, tmp_path, monkeypatch)
    monkeypatch.setenv("AIPLAN_READ_ONLY", "1")
    before = wh.read_bytes()
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("app.old_layout", "en")]
    assert wh.read_bytes() == before
