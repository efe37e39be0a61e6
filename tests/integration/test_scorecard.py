"""The catalogue on the bundled snapshot: `aiplan check`, `scorecard --json`, `series`, catalogue errors."""

import json
import shutil

import pytest
import yaml

from aiplan.cli import main
from indicators.catalog import CATALOG_DIR
from pipelines.settings import REPO_ROOT
from pipelines.warehouse import connect_read_only, read_cursor

SNAPSHOT = REPO_ROOT / "data" / "snapshot"
KEYS = {"id", "title", "unit", "direction", "source", "dataset", "codes", "latest_period", "value", "flag"}
KEYS |= {"eu_value", "rank", "target", "direction_only", "status", "card"}


@pytest.fixture
def env(snapshot_warehouse, monkeypatch):
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(snapshot_warehouse))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(SNAPSHOT))
    return snapshot_warehouse


def _json_out(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_check_passes_on_the_shipped_catalogue(env, capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "catalogue valid: 9 objectives" in out
    assert "no data yet: new_car_co2" in out  # sdg_13_31: no payload in ../shared


def test_scorecard_json_meets_the_coverage_promise(env, capsys):
    card = _json_out(capsys, ["scorecard", "--geo", "BE", "--json"])
    assert [o["number"] for o in card["objectives"]] == list(range(1, 10))
    for obj in card["objectives"]:
        with_be = [i for i in obj["indicators"] if i["value"] is not None]
        assessed = [i for i in with_be if i["status"] != "insufficient_data"]
        current = [i for i in assessed if not i["stale"]]
        if obj["number"] in (2, 4, 8):
            assert len(current) >= 2, (obj["number"], [i["id"] for i in assessed])
        elif obj["number"] in (3, 7, 9):
            assert len(current) >= 1, (obj["number"], [i["id"] for i in assessed])
        elif obj["number"] == 6:
            # Battery-electric cars to 2022 (stale in 2026); new-car CO2 (sdg_13_31) has no payload.
            assert [i["id"] for i in assessed] == ["battery_electric_cars"]
        else:
            # One year only: the page says which release brings the first trend, and when.
            assert obj["status"] == "insufficient_data" and obj["next_release"]["month"] >= "2026-12"
            shown = [i for i in with_be if i["eu_value"] is not None and i["rank"] is not None]
            assert shown, f"objective {obj['number']} has no Belgian value with EU value and rank"
        if obj["status"] != "insufficient_data":
            assert obj["next_release"] is None
        for ind in obj["indicators"]:
            assert (ind["target"] is None) != (ind["direction_only"] is None), ind["id"]
            if ind["target"]:
                assert len(ind["target"]["document"]) > 8 and ind["target"]["year"] >= 2022
            assert set(ind) >= KEYS


def test_scorecard_values_are_the_warehouse_values(env, capsys):
    card = _json_out(capsys, ["scorecard", "--geo", "BE", "--json"])
    by_id = {i["id"]: i for o in card["objectives"] for i in o["indicators"]}
    con = read_cursor(connect_read_only(env))
    raw = con.execute(
        "SELECT value FROM observations WHERE dataset='desi_facts' AND geo='BE' AND period='2025' "
        "AND series_key='breakdown=total_pophh|indicator=desi_vhcn|unit=pc_hh'"
    ).fetchone()[0]
    ren = con.execute(
        "SELECT period, value FROM observations WHERE dataset='nrg_ind_ren' "
        "AND series_key='freq=A|nrg_bal=REN|unit=PC' AND geo = 'BE' ORDER BY period DESC LIMIT 1"
    ).fetchone()
    con.close()
    # 2025 from the Commission's record, the years before from Eurostat's sdg_17_60: both named.
    assert by_id["vhcn_coverage"]["value"] == raw
    assert by_id["vhcn_coverage"]["origins"] == ["desi/desi_facts", "eurostat/sdg_17_60"]
    assert (by_id["renewables_share"]["latest_period"], by_id["renewables_share"]["value"]) == ren
    ghg = by_id["ghg_emissions"]["card"]
    assert ghg["latest_year"] == 2022 and ghg["start_year"] == 2017
    # The status follows from the card's own numbers (methodology.md thresholds).
    ratio = ghg["actual_rate"] / ghg["required_rate"]
    assert ratio == pytest.approx(ghg["ratio"])
    expected = (
        "on_track"
        if ratio >= 0.95
        else "moderate"
        if ratio >= 0.6
        else "insufficient"
        if ratio >= 0
        else "moving_away"
    )
    assert by_id["ghg_emissions"]["status"] == expected


def test_series_json_and_csv(env, capsys):
    rows = _json_out(capsys, ["series", "renewables_share", "--geo", "BE,EU27_2020", "--json"])
    assert set(rows[0]) == {"geo", "period", "value", "obs_flag", "origin"}
    assert {r["origin"] for r in rows} == {"eurostat/nrg_ind_ren"}
    assert {r["geo"] for r in rows} == {"BE", "EU27_2020"} and len(rows) == 40
    assert main(["series", "renewables_share", "--geo", "BE", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "geo,period,value,obs_flag,origin" and len(lines) == 21
    assert main(["series", "no_such_indicator"]) == 2


def test_scorecard_for_another_member_state_and_bad_geo(env, capsys):
    card = _json_out(capsys, ["scorecard", "--geo", "nl", "--json"])
    assert card["geo"] == "NL"
    assert main(["scorecard", "--geo", "XX"]) == 2


@pytest.fixture
def catalog_copy(tmp_path, monkeypatch):
    d = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, d)
    monkeypatch.setenv("AIPLAN_CATALOG_DIR", str(d))
    return d


def test_adding_an_indicator_is_one_yaml_file(env, catalog_copy, tmp_path, monkeypatch, capsys):
    doc = yaml.safe_load((catalog_copy / "renewables_share.yaml").read_text())
    doc.update(
        id="renewables_transport", headline=False, series={"nrg_bal": "REN_TRA", "unit": "PC", "freq": "A"}
    )
    doc["title"] = {"en": "Renewables in transport", "fr": "Renouvelables dans les transports",
                    "nl": "Hernieuwbare energie in vervoer",
                    "de": "Erneuerbare Energie im Verkehr"}  # fmt: skip
    doc.pop("reference_levels")
    (catalog_copy / "renewables_transport.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    wh = tmp_path / "wh.duckdb"
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(wh))
    assert main(["build", "--from-snapshot"]) == 0
    capsys.readouterr()
    card = _json_out(capsys, ["scorecard", "--json"])
    [new] = [
        i
        for o in card["objectives"]
        if o["number"] == 7
        for i in o["indicators"]
        if i["id"] == "renewables_transport"
    ]
    assert new["series_key"] == "freq=A|nrg_bal=REN_TRA|unit=PC"
    assert new["value"] is not None and new["status"] != "insufficient_data"


@pytest.mark.parametrize(
    ("name", "change", "key", "needle"),
    [
        (
            "ai_enterprises",
            lambda d: d["series"].update(indic_is="E_AI_NOPE"),
            "series",
            "unknown code(s) indic_is=E_AI_NOPE",
        ),
        ("ai_enterprises", lambda d: d["series"].pop("unit"), "series", "add a code for unit"),
        (
            "renewables_share",
            lambda d: d["target"].update(year=2003),
            "target.year",
            "before the data (from 2004)",
        ),
        ("ai_enterprises", lambda d: d.update(colour="blue"), "colour", "unknown key"),
    ],
)
def test_bad_catalogue_fails_check_and_build(
    env, catalog_copy, tmp_path, monkeypatch, capsys, name, change, key, needle
):
    path = catalog_copy / f"{name}.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {key}:" in err.replace("\n", " ") or f"{path}: {key}" in err
    assert needle in err.replace("\n", "")
    wh = tmp_path / "untouched.duckdb"
    wh.write_bytes(b"previous warehouse")
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(wh))
    assert main(["build", "--from-snapshot"]) == 2
    assert wh.read_bytes() == b"previous warehouse"
