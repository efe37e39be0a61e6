"""The bundled data as current as the payloads: series served per source, the same statistic from two
publishers agreeing, Belgium's regions, and a full rebuild from the payloads matching the snapshot."""

from __future__ import annotations

import json

import pytest

from aiplan.cli import main
from indicators.catalog import load_indicators
from pipelines import raw_cache
from pipelines.settings import REPO_ROOT
from pipelines.warehouse import build_from_raw, connect_read_only, read_cursor

SNAPSHOT = REPO_ROOT / "data" / "snapshot"


@pytest.fixture
def env(snapshot_env):
    return snapshot_env


def _series(capsys, indicator: str, geos: str = "BE") -> list[dict]:
    assert main(["series", indicator, "--geo", geos, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "indicator, latest",
    [
        ("vhcn_coverage", "2025"),
        ("fiveg_coverage", "2025"),
        ("genai_individuals", "2025"),
        ("digital_skills", "2025"),
        ("egov_users", "2025"),
        ("public_services_citizens", "2025"),
        ("adult_learning_4_weeks", "2024"),
        ("battery_electric_cars", "2022"),
    ],
)
def test_belgium_is_served_up_to_the_payloads_latest_year(env, capsys, indicator, latest):
    rows = [r for r in _series(capsys, indicator) if r["value"] is not None]
    assert max(r["period"] for r in rows) == latest


def test_gigabit_coverage_joins_the_same_study_from_two_publishers_and_says_which(env, capsys):
    rows = {r["period"]: r for r in _series(capsys, "vhcn_coverage")}
    assert (rows["2024"]["value"], rows["2024"]["origin"]) == (93.8, "eurostat/sdg_17_60")  # PROVENANCE.md
    assert rows["2025"]["origin"] == "desi/desi_facts"
    assert {r["origin"] for p, r in rows.items() if p < "2025"} == {"eurostat/sdg_17_60"}


def test_employment_rate_for_belgium_and_each_region_by_quarter(env, capsys):
    rows = _series(capsys, "employment_rate_20_64", "BE,BE1,BE2,BE3")
    q2 = {r["geo"]: round(r["value"], 2) for r in rows if r["period"] == "2024-Q2"}
    # Statbel's table as quoted in PROVENANCE.md (third pass).
    assert q2 == {"BE": 72.24, "BE1": 63.75, "BE2": 76.22, "BE3": 68.07}
    assert {r["obs_flag"] for r in rows if r["period"] == "2021-Q1"} == {"b"}


def test_employment_rate_is_assessed_on_complete_years_and_regions_are_never_ranked(env, capsys):
    assert main(["scorecard", "--geo", "BE2", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    emp = next(i for o in card["objectives"] for i in o["indicators"] if i["id"] == "employment_rate_20_64")
    # 2024 has two quarters only: the assessment's latest year is 2023, the mean of its four quarters.
    assert emp["latest_period"] == "2023" and emp["rank"] is None and emp["eu_value"] is None
    con = read_cursor(connect_read_only(env))
    try:
        quarters = con.execute(
            "SELECT avg(value) FROM indicator_values WHERE indicator_id = 'employment_rate_20_64' "
            "AND geo = 'BE2' AND period LIKE '2023-Q%'"
        ).fetchone()[0]
    finally:
        con.close()
    assert emp["value"] == pytest.approx(quarters)
    others = [i for o in card["objectives"] for i in o["indicators"] if i["id"] != "employment_rate_20_64"]
    assert all(i["rank"] is None for i in others)  # a region is never placed among member states
    # A context indicator never makes its objective's status alone, and no survey without regional figures
    # promises the region a first trend.
    assert [o["status"] for o in card["objectives"]] == ["insufficient_data"] * 9
    assert all(o["next_release"] is None for o in card["objectives"])
    assert all(i["next_release"] is None for i in others)


def test_the_same_statistic_from_two_publishers_agrees_where_both_have_it(env):
    """Every supplement (the same KPI as another source's record) against the indicator's own series."""
    con = read_cursor(connect_read_only(env))
    overlaps = 0
    try:
        for ind in load_indicators():
            for sup in ind.supplements:
                pub = ind.as_published_in(sup)
                own = _values(con, ind)
                other = _values(con, pub)
                shared = own.keys() & {(ind.eu_geo if g == sup.eu_geo else g, p) for g, p in other}
                for geo, period in shared:
                    g2 = sup.eu_geo if geo == ind.eu_geo else geo
                    assert own[(geo, period)] == pytest.approx(other[(g2, period)], abs=0.006), (
                        ind.id, sup.dataset, geo, period)  # fmt: skip
                overlaps += len(shared)
    finally:
        con.close()
    # AI, cloud, data analytics, their combination and SME digital intensity overlap in 2025 (EU + 27).
    assert overlaps >= 5 * 28


def _values(con, ind) -> dict[tuple[str, str], float]:
    sql = "SELECT DISTINCT series_key FROM observations WHERE source = ? AND dataset = ?"
    keys = [k for (k,) in con.execute(sql, [ind.source, ind.dataset]).fetchall()
            if all(f"{d}={c}" in k.split("|") for d, c in ind.series.items())]  # fmt: skip
    if len(keys) != 1:
        return {}
    rows = con.execute(
        "SELECT geo, period, value FROM observations WHERE source = ? AND dataset = ? AND series_key = ? "
        "AND value IS NOT NULL",
        [ind.source, ind.dataset, keys[0]],
    ).fetchall()
    return {(g, p): v * ind.multiplier for g, p, v in rows}


def test_a_full_build_from_the_payloads_matches_the_snapshot_manifest(raw_dir, tmp_path):
    """`make snapshot`'s import and build on the real payloads give the committed manifest's datasets, files
    and counts: the bundled data are reproducible from ../shared."""
    raw = tmp_path / "raw"
    raw_cache.import_files([raw_dir], raw)
    wh = tmp_path / "warehouse.duckdb"
    build_from_raw(raw, wh)
    con = read_cursor(connect_read_only(wh))
    try:
        built = {(s, d): (n, sha) for s, d, n, sha in con.execute(
            "SELECT source, dataset, n_obs, sha256 FROM datasets").fetchall()}  # fmt: skip
    finally:
        con.close()
    manifest = json.loads((SNAPSHOT / "manifest.json").read_text())
    shipped = {(d["source"], d["dataset"]): (d["n_obs"], d["sha256"]) for d in manifest["datasets"]}
    assert built == shipped
    for d in manifest["datasets"]:
        assert d["upstream_files"] and all(f["found_in"] and f["sha256"] for f in d["upstream_files"]), d[
            "dataset"
        ]
        assert d["licence"]
