"""schema.sql's keys and CHECKs, upstream dates as instants, and invariants.sql on synthetic warehouses."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from indicators.vocabulary import STATUSES
from pipelines import invariants, reports, warehouse
from pipelines.upstream_time import SQL_MACRO, instant

# The same instant written as publishers write it: the texts differ, the instants must not.
SAME_INSTANT = ["2026-02-27T11:00:00+0100", "2026-02-27T11:00:00+01:00", "2026-02-27T10:00:00Z",
                "2026-02-27T10:00:00+00:00", "2026-02-27T11:00:00"]  # fmt: skip
STATED = [
    *SAME_INSTANT,
    "2026-02-27",
    "2024-04-10T23:00:00",
    "2026-04-08T09:39:49.220Z",
    "2026-02-27T11:00:00+01",
]


@pytest.fixture
def con():
    """An empty warehouse of the current layout, in memory, as a build's connection sees it."""
    c = duckdb.connect(":memory:", config={"autoinstall_known_extensions": "false"})
    c.execute(SQL_MACRO)
    c.execute(warehouse.schema_ddl())
    yield c
    c.close()


def _dataset(con, dataset: str, stated: str | None, source: str = "eurostat", n_obs: int = 0) -> None:
    row = {
        "source": source,
        "dataset": dataset,
        "format": "synthetic",
        "upstream_updated": stated,
        "n_obs": n_obs,
    }
    warehouse._insert_frame(con, "datasets", pd.DataFrame([row]))


def _objective(con) -> None:
    con.execute(
        "INSERT INTO objectives (number, id, title_en, title_fr, title_nl, title_de, description_en, "
        "description_fr, description_nl, description_de) "
        "VALUES (1, 'o1', 't', 't', 't', 't', 'd', 'd', 'd', 'd')"
    )


def _indicator(con, iid: str, dataset: str, direction: str = "increase") -> None:
    con.execute(
        "INSERT INTO indicators (id, objective, headline, source, dataset, series_key, resolution, spec) "
        "VALUES (?, 1, false, 'eurostat', ?, 'unit=PC', 'ok', ?)",
        [iid, dataset, f'{{"direction": "{direction}"}}'],
    )


# ---------------------------------------------------------------- upstream dates


def test_python_and_sql_read_every_stated_form_alike(con):
    for stated in STATED:
        sql = con.execute("SELECT upstream_instant(?)", [stated]).fetchall()[0][0]
        assert sql == instant(stated), stated


def test_one_instant_however_it_is_written():
    assert len({instant(s) for s in SAME_INSTANT}) == 1
    # Without an offset: Brussels wall-clock time, an hour ahead of UTC in winter, two in summer.
    assert instant("2026-02-27T11:00:00").hour == 10 and instant("2024-04-10T23:00:00").hour == 21


def test_later_instant_wins_although_its_text_sorts_first(con):
    _objective(con)
    for name, stated in (("a", "2026-03-01T00:30:00+0100"), ("b", "2026-02-28T23:45:00+0000")):
        _dataset(con, name, stated)
        _indicator(con, f"ind_{name}", name)
    assert "2026-03-01T00:30:00+0100" > "2026-02-28T23:45:00+0000"  # as text, the first is later
    assert reports.data_currency(con)["newest_upstream_update"] == "2026-02-28T23:45:00+0000"
    # Both forms are kept: the instant to compare, the publisher's text to show.
    assert con.execute("SELECT upstream_stated FROM datasets ORDER BY upstream_updated").fetchall() == [
        ("2026-03-01T00:30:00+0100",),
        ("2026-02-28T23:45:00+0000",),
    ]


def test_choose_latest_compares_instants():
    def payload(stated: str) -> warehouse.Payload:
        result = warehouse.ReadResult(
            source="eurostat", dataset="d", format="synthetic", title="d",
            observations=pd.DataFrame({"period": ["2020"]}), labels=pd.DataFrame(), upstream_updated=stated,
        )  # fmt: skip
        return warehouse.Payload(result, stated, "0" * 64, 1, warehouse._now())

    early, late = payload("2026-03-01T00:30:00+0100"), payload("2026-02-28T23:45:00+0000")
    kept, dropped = warehouse.choose_latest([early, late])
    assert kept == [late] and dropped == [(early, late)]


# ---------------------------------------------------------------- keys and CHECKs


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO assessments (indicator_id, objective, geo, status, stale, status_kind, card) "
        "VALUES ('ind_a', 1, 'BE', 'doing_fine', false, 'target', '{}')",
        "INSERT INTO assessments (indicator_id, objective, geo, status, stale, status_kind, card) "
        "VALUES ('ind_a', 1, 'BE', 'on_track', false, 'aspiration', '{}')",
        # a direction-only indicator never meets a target
        "INSERT INTO assessments (indicator_id, objective, geo, status, stale, status_kind, card) "
        "VALUES ('ind_a', 1, 'BE', 'target_met', false, 'direction', '{}')",
        "INSERT INTO assessments (indicator_id, objective, geo, status, stale, position, status_kind, card) "
        "VALUES ('ind_a', 1, 'BE', 'on_track', false, 'ahead', 'target', '{}')",
        "INSERT INTO labels (source, dataset, dimension, code, lang, label) "
        "VALUES ('desi', 'desi_2022', 'edition', 'indicator=1a1|BE|2021', 'en', 'DESI 2022')",
        "INSERT INTO labels (source, dataset, dimension, code, lang, label) "
        "VALUES ('eurostat', 'd', 'unit', 'PC', 'English', 'Percentage')",
        "INSERT INTO observations (source, dataset, series_key, geo, period, edition) "
        "VALUES ('eurostat', 'd', 'unit=PC', 'BE', '2020', 'desi_2022')",
        "INSERT INTO build_info (built_at, built_from, location, n_obs) VALUES (now(), 'guess', 'x', 0)",
        "INSERT INTO fetches (location, started, status) VALUES ('x', now(), 'fine')",
    ],
)
def test_a_value_outside_the_vocabulary_is_refused(con, sql):
    _objective(con)
    _dataset(con, "a", None)
    _indicator(con, "ind_a", "a")
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        con.execute(sql)


def test_every_status_of_the_vocabulary_is_accepted(con):
    _objective(con)
    _dataset(con, "a", None)
    _indicator(con, "ind_a", "a")
    for i, status in enumerate(STATUSES):
        con.execute(
            "INSERT INTO assessments (indicator_id, objective, geo, status, stale, status_kind, card) "
            "VALUES ('ind_a', 1, ?, ?, false, 'target', '{}')",
            [f"G{i}", status],
        )
    assert con.execute("SELECT count(*) FROM assessments").fetchall() == [(len(STATUSES),)]


def test_an_indicator_direction_outside_the_vocabulary_is_refused(con):
    _objective(con)
    _dataset(con, "a", None)
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        _indicator(con, "ind_a", "a", direction="sideways")


def test_a_duplicate_key_is_refused(con):
    _dataset(con, "a", "2026-02-27")
    with pytest.raises(warehouse.BuildError, match="datasets.*(PRIMARY KEY|[Dd]uplicate)"):
        _dataset(con, "a", "2026-02-28")
    _objective(con)
    with pytest.raises(duckdb.ConstraintException):
        _objective(con)


def test_an_assessment_of_an_unknown_indicator_is_refused(con):
    _objective(con)
    with pytest.raises(duckdb.ConstraintException, match="[Ff]oreign key"):
        con.execute(
            "INSERT INTO assessments (indicator_id, objective, geo, status, stale, status_kind, card) "
            "VALUES ('nowhere', 1, 'BE', 'on_track', false, 'target', '{}')"
        )


@pytest.mark.parametrize("version, needed", [(5, True), (warehouse.SCHEMA_VERSION, False)])
def test_a_snapshot_warehouse_of_an_older_layout_is_rebuilt(tmp_path, version, needed):
    """The app reads the current layout: a warehouse the same snapshot built in an older one is rebuilt."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    (snap / "manifest.json").write_text('{"datasets": []}')
    wh = tmp_path / "warehouse.duckdb"
    c = duckdb.connect(str(wh))
    c.execute("CREATE TABLE build_info (built_at TIMESTAMP, built_from VARCHAR, snapshot_sha256 VARCHAR)")
    c.execute(
        "INSERT INTO build_info (built_at, built_from, snapshot_sha256) VALUES (now(), 'snapshot', ?)",
        [warehouse.snapshot_sha256(snap)],
    )
    c.execute("CREATE TABLE schema_version (version INTEGER)")
    c.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    c.close()
    assert warehouse.snapshot_build_needed(wh, snap)[0] is needed


def test_placeholders_are_all_filled():
    assert "${" not in warehouse.schema_ddl()


# ---------------------------------------------------------------- invariants


def test_a_sound_synthetic_warehouse_breaks_no_invariant(con):
    _dataset(con, "a", "2026-02-27T11:00:00+0100", n_obs=1)
    warehouse._insert_frame(con, "observations", pd.DataFrame([{
        "source": "eurostat", "dataset": "a", "series_key": "unit=PC", "geo": "BE", "period": "2020",
        "value": 1.0, "upstream_updated": "2026-02-27T11:00:00+0100"}]))  # fmt: skip
    invariants.check_invariants(con)


@pytest.mark.parametrize(
    "name, breakage",
    [
        ("dataset_counts_its_observations", "UPDATE datasets SET n_obs = 5"),
        ("confidential_observation_has_no_value", "UPDATE observations SET conf_flag = 'C'"),
        ("observation_has_value_or_flag", "UPDATE observations SET value = NULL"),
        ("observation_key_unique", "INSERT INTO observations SELECT * FROM observations"),
        ("observations_of_listed_datasets", "UPDATE observations SET dataset = 'b'"),
        ("upstream_update_not_in_future", "UPDATE datasets SET upstream_updated = now() + INTERVAL 3 DAY"),
        ("upstream_instant_beside_its_text", "UPDATE datasets SET upstream_stated = NULL"),
        ("indicator_series_has_observations", "UPDATE indicators SET series_key = 'unit=NR'"),
        (
            "indicator_resolution_matches_datasets",
            "UPDATE indicators SET resolution = 'no_dataset', series_key = NULL",
        ),  # fmt: skip
    ],
)
def test_a_broken_warehouse_fails_the_named_invariant(con, name, breakage):
    _objective(con)
    _dataset(con, "a", "2026-02-27T11:00:00+0100", n_obs=1)
    warehouse._insert_frame(con, "observations", pd.DataFrame([{
        "source": "eurostat", "dataset": "a", "series_key": "unit=PC", "geo": "BE", "period": "2020",
        "value": 1.0, "upstream_updated": "2026-02-27T11:00:00+0100"}]))  # fmt: skip
    _indicator(con, "ind_a", "a")
    invariants.check_invariants(con)
    con.execute(breakage)
    with pytest.raises(invariants.InvariantError) as exc:
        invariants.check_invariants(con)
    assert name in exc.value.names
    assert f"invariant {name} broken" in str(exc.value) and "'dataset'" in str(exc.value)


def test_invariants_have_unique_names_and_say_why():
    found = invariants.load_invariants()
    assert len(found) >= 6
    assert all(inv.why and inv.sql.upper().startswith("SELECT") for inv in found)
