"""`aiplan changes --since DAY --geo BE --json` after a refresh from the local upstream serving real bytes.

One documented test revision: the real nrg_ind_ren answer with Belgium's 2023 renewables share (REN, PC)
edited to 99.5, as Eurostat would revise it. One new observation: Belgium's 2022 value of the same series is
taken out of the warehouse before the refresh (the project had not seen it yet), so the refresh brings it
as new, with the real value of the served file. The seeding refresh is moved back 30 days, so that only the
refresh under test falls after "the day before".
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from aiplan.cli import main
from pipelines import reports, warehouse
from pipelines.settings import get_settings
from tests.integration.test_refresh import (  # noqa: F401 (the refresh tests' fixtures, used by name)
    FAULTED,
    REN_BE_2023,
    _refresh,
    _rows,
    env,
    present,
    seeded,
    upstream,
)

INDICATOR = "renewables_share"
SERIES = ["nrg_ind_ren", "freq=A|nrg_bal=REN|unit=PC", "BE"]
WHERE = "dataset = ? AND series_key = ? AND geo = ?"


def _back_date_the_seed(path) -> None:
    """Everything the seeding refresh recorded happened 30 days ago."""
    con = duckdb.connect(str(path))
    try:
        for table, column in (("observation_history", "changed_at"), ("observation_added", "added_at"),
                              ("assessment_history", "built_at"), ("build_info", "built_at")):  # fmt: skip
            con.execute(f"UPDATE {table} SET {column} = {column} - INTERVAL 30 DAY")
    finally:
        con.close()


@pytest.fixture
def revised(env, upstream, present):  # noqa: F811 (fixtures imported above)
    """The warehouse after the refresh under test, with what the test needs to know from before it."""
    wh = get_settings().warehouse
    _back_date_the_seed(wh)
    con = duckdb.connect(str(wh))
    try:
        taken = con.execute(f"SELECT value FROM observations WHERE {WHERE} AND period = '2022'", SERIES)
        (value_2022,) = taken.fetchone()
        con.execute(f"DELETE FROM observations WHERE {WHERE} AND period = '2022'", SERIES)
        (status_before,) = con.execute(
            "SELECT status FROM assessments WHERE indicator_id = ? AND geo = 'BE'", [INDICATOR]
        ).fetchone()
    finally:
        con.close()
    old_2023 = float(upstream.revise(FAULTED, REN_BE_2023, "99.5"))
    run = _refresh(upstream, *present)
    assert run.outcomes[FAULTED].status == "updated"
    (status_after,) = _rows(
        "SELECT status FROM assessments WHERE indicator_id = ? AND geo = 'BE'", [INDICATOR]
    )[0]
    assert status_before != status_after, "the test revision is meant to change the status"
    return {"value_2022": value_2022, "old_2023": old_2023, "status": (status_before, status_after)}


def _cli_rows(capsys, since: date) -> list[dict]:
    capsys.readouterr()
    assert main(["changes", "--since", since.isoformat(), "--geo", "BE", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_changes_list_the_revision_the_new_value_and_the_status_change(revised, capsys):
    day_before = datetime.now(UTC).date() - timedelta(days=1)
    rows = _cli_rows(capsys, day_before)
    assert rows, "nothing listed"
    assert all(set(r) == {"indicator", "geo", "kind", "period", "old", "new", "upstream_updated", "seen_at"}
               for r in rows)  # fmt: skip
    mine = [r for r in rows if r["indicator"] == INDICATOR]
    by_kind = {r["kind"]: r for r in mine}
    assert sorted(r["kind"] for r in mine) == ["new", "revised", "status"]
    rev = by_kind["revised"]
    assert (rev["geo"], rev["period"], rev["old"], rev["new"]) == ("BE", "2023", revised["old_2023"], 99.5)
    # both upstream dates: the real SDMX-CSV 1.0 lines state their own LAST UPDATE (07/03/25 23:00)
    assert rev["upstream_updated"] == {"old": "2025-03-07T23:00:00+01:00", "new": "2025-03-07T23:00:00+01:00"}
    new = by_kind["new"]
    assert (new["period"], new["old"], new["new"]) == ("2022", None, revised["value_2022"])
    status = by_kind["status"]
    assert (status["old"], status["new"]) == revised["status"]
    assert status["period"] == "2023"
    for r in mine:  # seen today, by this refresh
        assert datetime.fromisoformat(r["seen_at"]).date() >= day_before
    # nothing from the back-dated seed; and no other Belgian series of nrg_ind_ren changed
    assert all(r["geo"] == "BE" for r in rows)


def test_changes_since_after_the_refresh_lists_nothing(revised, capsys):
    assert _cli_rows(capsys, datetime.now(UTC).date() + timedelta(days=2)) == []


def test_the_seed_is_listed_from_an_earlier_day_and_reports_match_the_cli(revised, capsys):
    earlier = datetime.now(UTC).date() - timedelta(days=40)
    rows = _cli_rows(capsys, earlier)
    con = warehouse.connect_read_only(get_settings().warehouse)
    try:
        typed = [r.model_dump(mode="json") for r in reports.changes(con, earlier, "BE")]
        builds = con.execute("SELECT count(DISTINCT build_id) FROM assessment_history").fetchone()[0]
    finally:
        con.close()
    assert typed == rows
    assert builds == 2  # the seed's and this refresh's


def test_layout_7_warehouse_brings_its_assessments_into_the_history(env, upstream, present):  # noqa: F811
    wh = get_settings().warehouse
    con = duckdb.connect(str(wh))  # make it layout 7: no histories, no build id
    try:
        con.execute("DROP TABLE assessment_history")
        con.execute("DROP TABLE observation_added")
        con.execute("ALTER TABLE build_info DROP COLUMN build_id")
        con.execute("UPDATE schema_version SET version = 7")
        before = con.execute("SELECT indicator_id, geo, status FROM assessments ORDER BY ALL").fetchall()
        (built_at,) = con.execute("SELECT built_at FROM build_info").fetchone()
    finally:
        con.close()
    upstream.revise(FAULTED, REN_BE_2023, "99.5")
    _refresh(upstream, *present)
    carried = _rows(
        "SELECT indicator_id, geo, status FROM assessment_history WHERE built_at = ? ORDER BY ALL", [built_at]
    )
    assert carried == before
    assert _rows("SELECT count(DISTINCT build_id), max(version) FROM assessment_history, schema_version") == [
        (2, warehouse.SCHEMA_VERSION)
    ]


def test_the_packs_first_page_shows_the_clis_rows(revised, capsys):
    from presentation import pack_content

    day_before = datetime.now(UTC).date() - timedelta(days=1)
    rows = _cli_rows(capsys, day_before)
    con = warehouse.connect_read_only(get_settings().warehouse)
    try:
        since = pack_content.build(con, geo="BE", lang="nl", since=day_before).since
    finally:
        con.close()
    assert [line.row.model_dump(mode="json") for line in since.lines] == rows[: pack_content.MAX_SINCE_ROWS]
    assert since.rows and all(len(r) == len(since.head) for r in since.rows)


def test_the_app_page_shows_the_clis_rows(revised, capsys, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from pipelines.settings import REPO_ROOT

    day_before = datetime.now(UTC).date() - timedelta(days=1)
    rows = _cli_rows(capsys, day_before)
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.switch_page("app_pages/changes.py")
    for key, value in {"lang": "fr", "geo": "BE", "since": day_before.isoformat()}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (table,) = at.dataframe
    shown = table.value
    assert len(shown) == len(rows)
    assert list(shown["Période"]) == [r["period"] or "" for r in rows]
    kinds = {"new": "Nouveau chiffre", "revised": "Chiffre révisé", "status": "Changement de statut"}
    assert list(shown["Changement"]) == [kinds[r["kind"]] for r in rows]


def test_a_day_before_the_first_build_is_said_to_be_unknown(revised, capsys):
    """The seed (the warehouse's first build) was 30 days ago: before it, nothing is known to have changed,
    and the command says so on stderr (the JSON on stdout stays the rows alone)."""
    first_build = datetime.now(UTC).date() - timedelta(days=30)
    capsys.readouterr()
    assert (
        main(["changes", "--since", (first_build - timedelta(days=5)).isoformat(), "--geo", "BE", "--json"])
        == 0
    )
    out = capsys.readouterr()
    assert f"history begins {first_build}" in out.err
    json.loads(out.out)
    assert main(["changes", "--since", (first_build + timedelta(days=1)).isoformat(), "--geo", "BE"]) == 0
    assert "history begins" not in capsys.readouterr().err
