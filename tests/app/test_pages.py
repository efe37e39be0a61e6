"""AppTest: each page runs on the snapshot warehouse, shows what it should, restores state from the URL."""

import csv
import json

import pytest
from streamlit.testing.v1 import AppTest

from indicators.catalog import load_indicators, load_objectives
from indicators.vocabulary import EU27, LANGS
from pipelines.settings import REPO_ROOT
from pipelines.warehouse import connect_read_only, read_cursor

APP = str(REPO_ROOT / "dashboard" / "app.py")
EXCERPTS = REPO_ROOT / "tests" / "fixtures" / "upstream" / "raw"
# The excerpts the fixture warehouse is built from (tests/conftest.py fixture_warehouse).
FILES = sorted([*(EXCERPTS / "eurostat").iterdir(), *(EXCERPTS / "desi").iterdir()])


def _excerpt_rows(name: str, geos: set[str]) -> int:
    """Data lines of an SDMX-CSV excerpt for `geos` with a value, counted from the file's text."""
    with (EXCERPTS / "eurostat" / name).open(encoding="utf-8", newline="") as f:
        return sum(1 for r in csv.DictReader(f) if r["geo"] in geos and r["OBS_VALUE"] != "")


def run_page(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    return " ".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    )


def notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def rows(db, sql, params=()):
    con = read_cursor(connect_read_only(db))
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_scorecard_shows_nine_objectives(app_env):
    at = run_page()
    text = texts(at)
    for obj in load_objectives():
        assert f"{obj.number} · {obj.title.en}" in text
    assert len([m for m in at.markdown if m.value.startswith("#### ")]) == 9
    assert "Scorecard: Belgium" in text
    assert not notices(at)


def test_scorecard_for_another_country_from_the_url(app_env):
    at = run_page(geo="NL")
    assert at.selectbox(key="geo").value == "NL"
    assert "Scorecard: Netherlands" in texts(at)


# Full data: the regions' figures come from Statbel's EAK workbook (a binary .xls, which cannot be cut
# byte-exactly) and their names from Statbel's reference table; the excerpts hold neither.
def test_a_belgian_region_is_a_geography_of_its_own(full_app_env):
    at = run_page("objective", objective="8", geo="BE2")
    assert at.selectbox(key="geo").value == "BE2"
    # After the member states, under Statbel's own names.
    assert at.selectbox(key="geo").options[-3:] == [
        "Brussels-Capital region",
        "Flanders region",
        "Walloon region",
    ]
    text = texts(at)
    assert "Flanders region" in text  # Statbel's own name for BE2
    # The employment rate's chart: the region highlighted, Belgium and the other regions beside it, no
    # member state; nothing ranks the region among them.
    trend = next(s for s in specs(at) if {t.get("meta") for t in s["data"]} >= {"BE2", "BE"})
    metas = {t.get("meta") for t in trend["data"] if t.get("meta")}
    assert metas - {"target", "target_marker", "projection"} == {"BE", "BE1", "BE2", "BE3"}
    widths = {t["meta"]: t["line"]["width"] for t in trend["data"] if t.get("meta") and t.get("line")}
    assert max(widths, key=widths.get) == "BE2"
    assert "rank" not in text.split("Employment rate")[1].split("\n")[0]


def test_scorecard_bad_geo_falls_back_with_notice(app_env):
    at = run_page(geo="<script>alert(1)</script>")
    assert at.selectbox(key="geo").value == "BE"
    assert any("not available" in n for n in notices(at))


def test_objective_page_charts_every_indicator_with_data(app_env):
    at = run_page("objective", objective="7", geo="BE")
    assert at.selectbox(key="objective").value == "7"
    charts = specs(at)
    n_with_data = rows(app_env, "SELECT count(*) FROM indicators WHERE objective = 7 AND resolution = 'ok'")[
        0
    ][0]
    # Objective 7's indicators whose dataset the fixture holds, from the catalogue and the excerpts' names.
    in_fixture = [
        i for i in load_indicators() if i.objective == 7 and any(i.dataset in f.name for f in FILES)
    ]
    assert len(charts) == n_with_data == len(in_fixture) >= 2
    ghg = charts[0]  # the headline indicator comes first
    metas = [t.get("meta") for t in ghg["data"]]
    assert {"BE", "EU27_2020", "target"} <= set(metas)
    # Its latest data (2022) are stale: a pace measured then is not drawn into the future.
    assert rows(
        app_env, "SELECT stale FROM assessments WHERE indicator_id = 'ghg_emissions' AND geo = 'BE'"
    ) == [(True,)]
    assert "projection" not in metas
    be = next(t for t in ghg["data"] if t.get("meta") == "BE")
    expected = rows(app_env, "SELECT year, value FROM indicator_values WHERE indicator_id='ghg_emissions' "
                             "AND geo='BE' ORDER BY year")  # fmt: skip
    assert list(zip(be["x"], be["y"], strict=True)) == expected


def test_a_current_indicator_with_a_target_is_projected_to_its_target_year(app_env):
    at = run_page("objective", objective="3", geo="BE")
    sme = next(c for c in specs(at) if any(t.get("meta") == "target" for t in c["data"]) and
               any(t.get("meta") == "projection" for t in c["data"]))  # fmt: skip
    projection = next(t for t in sme["data"] if t.get("meta") == "projection")
    assert projection["x"][-1] <= 2030 and projection["x"][0] == 2025


def test_objective_page_offers_chart_and_data_downloads(app_env):
    at = run_page("objective", objective="8")
    labels = [b.proto.label for b in at.get("download_button")]
    n_with_data = rows(app_env, "SELECT count(*) FROM indicators WHERE objective = 8 AND resolution = 'ok'")[
        0
    ][0]
    for fmt in ("PNG", "SVG", "PDF", "XLSX", "CSV for Excel"):
        assert sum(fmt in label for label in labels) == n_with_data, fmt
    assert labels.count("CSV") == n_with_data


def test_scorecard_offers_the_briefing_pack(app_env):
    at = run_page()
    assert any("Briefing pack" in b.proto.label for b in at.get("download_button"))


def test_objective_page_bad_objective_falls_back(app_env):
    at = run_page("objective", objective="12")
    assert at.selectbox(key="objective").value == "1"
    assert any("objective=12" in n for n in notices(at))


def test_explorer_chart_equals_warehouse_rows(app_env):
    at = run_page("explorer", indicator="renewables_share", geos=["BE", "NL", "EU27_2020"])
    assert at.selectbox(key="indicator").value == "renewables_share"
    assert at.multiselect(key="geos").value == ["BE", "NL", "EU27_2020"]
    [fig] = specs(at)
    drawn = sorted((t["meta"], x, y) for t in fig["data"] if t.get("meta") in ("BE", "NL", "EU27_2020")
                   for x, y in zip(t["x"], t["y"], strict=True))  # fmt: skip
    sql = "SELECT geo, year, value FROM indicator_values WHERE indicator_id='renewables_share' "
    expected = rows(app_env, sql + "AND geo IN ('BE','NL','EU27_2020') ORDER BY ALL")
    assert drawn == expected and len(drawn) == _excerpt_rows(
        "nrg_ind_ren.sdmx.csv", {"BE", "NL", "EU27_2020"}
    )


def test_explorer_opens_a_one_year_indicator_on_its_ranking(app_env):
    at = run_page("explorer", indicator="ai_enterprises")
    assert rows(
        app_env, "SELECT count(DISTINCT year) FROM indicator_values WHERE indicator_id='ai_enterprises'"
    ) == [(1,)]
    assert at.selectbox(key="view").value == "ranking"
    [fig] = specs(at)
    assert fig["data"][0]["type"] == "bar"


def test_explorer_breakdown_period_and_ranking_from_the_url(app_env):
    at = run_page("explorer", indicator="cloud_enterprises", b_size_emp="10-49", view="ranking", year="2023")
    assert at.selectbox(key="b_size_emp").value == "10-49"
    [fig] = specs(at)
    bars = fig["data"][0]
    key = "freq=A|indic_is=E_CC1_SI|nace_r2=C10-S951_X_K|size_emp=10-49|unit=PC_ENT"
    sql = "SELECT geo, value FROM observations WHERE dataset='isoc_cicce_use' AND period='2023' "
    sql += "AND series_key=? "
    expected = rows(app_env, sql + "AND value IS NOT NULL AND list_contains(?, geo)", [key, list(EU27)])
    assert sorted(zip(bars["meta"], bars["x"], strict=True)) == sorted(expected)
    assert len(expected) >= 20


def test_explorer_csv_download_is_the_table_shown(app_env):
    at = run_page("explorer", indicator="digital_skills", geos=["BE"], view="table")
    csv_button, excel_button, xlsx_button = at.get("download_button")
    table = at.dataframe[0].value
    # Headers for a reader (the CSV keeps the codes), and an absent flag is blank, not "None".
    # The indicator's own series and the year the Commission's record adds, each value with its dataset.
    assert len(table) == 3 and list(table["Period"]) == ["2021", "2023", "2025"]
    assert list(table["From dataset"]) == ["eurostat/isoc_sk_dskl_i21"] * 2 + ["desi/desi_facts"]
    assert list(table.columns) == [
        "Code",
        "Country or aggregate",
        "Period",
        "Value",
        "Flag",
        "Confidentiality",
        "From dataset",
    ]
    assert not table["Flag"].isna().any() and "None" not in set(table["Flag"].astype(str))
    assert "CSV" in csv_button.proto.label and "XLSX" in xlsx_button.proto.label
    assert "Excel" in excel_button.proto.label


@pytest.mark.parametrize("geo", ["BE", "LU"])
def test_explorer_highlights_the_chosen_country_and_compares_it_with_its_neighbours(app_env, geo):
    at = run_page("explorer", geo=geo, indicator="digital_skills")
    trend = specs(at)[0]
    widths = {t["meta"]: t["line"]["width"] for t in trend["data"] if t.get("meta") and t.get("line")}
    assert max(widths, key=widths.get) == geo
    assert geo in at.multiselect(key="geos").value


# A size class means something only for an indicator with size breakdowns: cloud use (the excerpt of AI use,
# the default indicator, holds one size class).
@pytest.mark.parametrize(
    "params",
    [
        {"indicator": "nope"},
        {"view": "pie"},
        {"from": "1066"},
        {"indicator": "cloud_enterprises", "b_size_emp": "X"},
    ],
)
def test_explorer_bad_parameters_fall_back_with_notice(app_env, params):
    at = run_page("explorer", **params)
    assert notices(at), params
    assert specs(at) or at.dataframe


def test_explorer_indicator_without_data_says_how_to_get_it(app_env):
    at = run_page("explorer", indicator="health_info_online")
    # The reader is told in plain words; the command is in the administrators' line apart.
    assert [i.value for i in at.info] == ["No figures for this selection yet."]
    assert any("aiplan refresh" in c.value for c in at.caption)


def test_sources_page_lists_datasets_and_gaps(app_env):
    at = run_page("sources")
    n = rows(app_env, "SELECT count(*) FROM datasets")[0][0]
    # One excerpt file per dataset in the fixture.
    assert len(at.dataframe[0].value) == n == len(FILES)
    gaps = at.dataframe[1].value
    assert "Individuals seeking health information online" in set(gaps.iloc[:, 0])


def test_methodology_page_shows_the_thresholds(app_env):
    at = run_page("methodology")
    text = texts(at)
    assert "0.95" in text and "0.60" in text and "1 % a year" in text


def test_dataset_browser_runs(app_env):
    at = run_page("dataset", dataset="eurostat/nrg_ind_ren")
    assert specs(at)


def test_widget_changes_write_codes_to_the_url(app_env):
    at = run_page("explorer", indicator="renewables_share")
    at.multiselect(key="geos").select("SE").unselect("LU").run()
    assert not at.exception
    geos = at.query_params["geos"]
    assert "SE" in geos and "LU" not in geos and "Sweden" not in geos
    at.selectbox(key="view").select("table").run()
    assert at.query_params["view"] in ("table", ["table"])


def test_default_values_leave_the_url_clean(app_env):
    at = run_page("objective", objective="3", geo="NL")
    assert at.query_params["objective"] in ("3", ["3"]) and at.query_params["geo"] in ("NL", ["NL"])
    at.selectbox(key="geo").select("BE").run()
    assert "geo" not in at.query_params


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_scorecard_in_french_dutch_and_german(app_env, lang):
    at = run_page(lang=lang)
    assert at.selectbox(key="lang").value == lang
    text = texts(at)
    for obj in load_objectives():
        assert f"{obj.number} · {obj.title.get(lang)}" in text
    from presentation.i18n import t

    assert t("scorecard.header", lang, geo=t("geo.name.BE", lang)) in text
    assert t("scorecard.header", lang, geo="x") != t("scorecard.header", "en", geo="x")


def test_language_travels_in_the_url_and_bad_language_falls_back(app_env):
    at = run_page("objective", objective="2", lang="nl")
    assert at.query_params["lang"] in ("nl", ["nl"])
    at = run_page(lang="xx")
    assert at.selectbox(key="lang").value == "en" and notices(at)
