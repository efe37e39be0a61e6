"""`aiplan export` on the fixture warehouse → files of the right type, or exit 2 naming the bad value."""

import csv
import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from aiplan.cli import main
from pipelines import reports
from pipelines.warehouse import connect_read_only

INDICATOR = "renewables_share"


def _series_rows(db, geos):
    con = connect_read_only(db)
    try:
        return [r for r in reports.series(con, INDICATOR, geos) if r["value"] is not None]
    finally:
        con.close()


@pytest.mark.parametrize(("fmt", "magic"), [("svg", None), ("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")])
def test_chart_export_writes_the_format_asked(fixture_env, tmp_path, fmt, magic):
    out = tmp_path / f"chart.{fmt}"
    assert main(["export", "chart", INDICATOR, "--geo", "BE", "--format", fmt, "--out", str(out)]) == 0
    body = out.read_bytes()
    if magic:
        assert body.startswith(magic)
    else:
        assert ET.fromstring(body).tag.endswith("svg")


def test_data_export_csv_and_xlsx_hold_the_warehouse_rows(fixture_env, tmp_path):
    geos = ["BE", "NL", "EU27_2020"]
    expected = _series_rows(fixture_env, geos)
    out = tmp_path / "data.csv"
    assert main(["export", "data", INDICATOR, "--geo", ",".join(geos), "--out", str(out)]) == 0
    table = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert {"geo", "period", "value"} <= set(table[0])
    assert len(table) == len(expected) > 0
    assert {r["geo"] for r in table} == set(geos)
    xlsx = tmp_path / "data.xlsx"
    assert (
        main(["export", "data", INDICATOR, "--geo", ",".join(geos), "--format", "xlsx", "--out", str(xlsx)])
        == 0
    )
    book = openpyxl.load_workbook(xlsx, read_only=True)
    data = book.worksheets[0]
    assert data.max_row - 1 == len(expected)  # a header row, then one row per value
    assert len(book.worksheets) >= 2  # and the metadata sheet


def test_briefing_export_is_a_pdf(fixture_env, tmp_path):
    out = tmp_path / "pack.pdf"
    assert main(["export", "briefing", "--geo", "BE", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["export", "chart", "no_such_indicator"], "no_such_indicator"),
        (["export", "data", "no_such_indicator"], "no_such_indicator"),
        (["export", "chart", INDICATOR, "--geo", "XX"], "XX"),
        (["export", "briefing", "--geo", "XX"], "XX"),
    ],
)
def test_bad_indicator_or_geo_exits_2_naming_it(fixture_env, tmp_path, monkeypatch, capsys, argv, named):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert named in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_data_export_with_an_unknown_geo_exits_2(fixture_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "data", INDICATOR, "--geo", "BE,XX"]) == 2
    assert "XX" in capsys.readouterr().err
