"""AppTest: each page runs on the snapshot warehouse, shows what it should, restores state from the URL."""

import json

from streamlit.testing.v1 import AppTest

from pipelines.settings import REPO_ROOT
from pipelines.warehouse import connect_read_only

APP = str(REPO_ROOT / "dashboard" / "app.py")


def _app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _plotly_spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no chart drawn"
    return json.loads(charts[0].proto.spec)


def test_home_lists_the_nine_objectives(app_env):
    at = _app()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    from indicators.catalog import objectives

    for obj in objectives():
        assert f"{obj.number}. {obj.title.en}" in text
    assert len(objectives()) == 9


def test_dataset_page_chart_equals_warehouse_rows(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/dataset.py")
    at.query_params["dataset"] = "eurostat/nrg_ind_ren"
    at.run()
    assert not at.exception
    spec = _plotly_spec(at)
    series_key = at.selectbox(key="series").value
    con = connect_read_only(app_env).cursor()
    rows = con.execute(
        "SELECT geo, period, value FROM observations WHERE dataset='nrg_ind_ren' AND series_key=? "
        "AND geo IN ('BE','EU27_2020') ORDER BY geo, period",
        [series_key],
    ).fetchall()
    drawn = sorted(
        (trace["name"], x, y) for trace in spec["data"] for x, y in zip(trace["x"], trace["y"], strict=True)
    )
    expected = sorted((g, float(p), v) for g, p, v in rows)
    assert len(spec["data"]) == 2
    assert len(drawn) == len(expected) > 10
    assert sorted((x, y) for _, x, y in drawn) == sorted((x, y) for _, x, y in expected)


def test_bad_query_parameter_falls_back_with_notice(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/dataset.py")
    at.query_params["dataset"] = "eurostat/'; DROP TABLE observations; --"
    at.run()
    assert not at.exception
    assert any("not available" in w.value for w in at.warning)
    assert at.selectbox(key="dataset").value == "eurostat/isoc_ci_in_h"
