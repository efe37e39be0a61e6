"""Data downloads read back as files: what they hold (codes, labels, target population), their number formats
(no float noise; ';' and decimal comma for Excel), the wide layout, and `aiplan export data`."""

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from aiplan.cli import main
from indicators.series import parse_key
from indicators.vocabulary import LANGS
from pipelines import reports
from pipelines.warehouse import connect_read_only, read_cursor
from presentation import data_exports, explore
from presentation.i18n import t

CLOUD_KEY = "freq=A|indic_is=E_CC1_SI|nace_r2=C10-S951_X_K|size_emp={}|unit=PC_ENT"
# The signature of binary noise in a decimal text: a run of zeros or nines before a last digit.
NOISE = re.compile(r"\d\.\d*(0000|9999)\d")
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def con(fixture_warehouse):
    c = read_cursor(connect_read_only(fixture_warehouse))
    yield c
    c.close()


def _label(con, dim: str, code: str) -> str:
    """The publisher's English label of a code, as the warehouse holds it."""
    return reports.labels(con, "eurostat", "isoc_cicce_use", "en")[(dim, code)]


def _metadata(book: openpyxl.Workbook) -> list[tuple[str, str]]:
    return [tuple(r) for r in book.worksheets[-1].iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_of_cloud_enterprises_10_49_names_the_size_class_and_the_targets_population(con, lang):
    # What the explorer exports when size class 10–49 is chosen (the acceptance case of the issue).
    shown = data_exports.indicator_shown(
        con, "cloud_enterprises", lang, geos=["BE", "EU27_2020"], codes={"size_emp": "10-49"}
    )
    book = openpyxl.load_workbook(io.BytesIO(data_exports.xlsx_bytes(shown, lang)))
    assert book.sheetnames == [t("dl.sheet.data", lang), t("dl.sheet.metadata", lang)]
    fields = dict(_metadata(book))  # one value per field, except the flags (checked below)
    size_field = t("dl.meta.code", lang, dimension=shown.names.dimension("size_emp"))
    small, all_sizes = shown.names.label("size_emp", "10-49"), shown.names.label("size_emp", "GE10")
    assert small and all_sizes and small != all_sizes
    assert fields[size_field] == f"size_emp=10-49 ({small})"
    assert not any("size_emp=GE10" in str(v) for _, v in _metadata(book))
    # The target is the indicator's, for its own population (10+), said apart from the series shown.
    population = fields[t("dl.meta.target_population", lang)]
    assert population == t("dl.meta.target_other_series", lang, target=all_sizes, shown=small)
    assert "75" in fields[t("dl.meta.target", lang)]
    # The data sheet holds that series, its codes and labels in columns (headers for readers), each value.
    data = pd.DataFrame(list(book.worksheets[0].values)[1:], columns=next(book.worksheets[0].values))
    size = shown.names.dimension("size_emp")
    assert set(data[t("dl.col.code", lang, dimension=size)]) == {"10-49"} and set(data[size]) == {small}
    expected = reports.series_observations(con, "eurostat", "isoc_cicce_use", CLOUD_KEY.format("10-49"))
    expected = expected[expected["geo"].isin(["BE", "EU27_2020"])]
    got = zip(*(data[t(f"dl.col.{c}", lang)] for c in ("geo", "period", "value")), strict=True)
    assert sorted(got) == sorted(
        (g, p, float(v))
        for g, p, v in zip(expected["geo"], expected["period"], expected["value"], strict=True)
    )


def test_the_indicators_own_series_says_its_target_is_set_for_it(con):
    shown = data_exports.indicator_shown(con, "cloud_enterprises", "en", geos=["BE"])
    fields = dict(data_exports.metadata_rows(shown, "en"))
    assert fields[t("dl.meta.code", "en", dimension=shown.names.dimension("size_emp"))] == (
        f"size_emp=GE10 ({_label(con, 'size_emp', 'GE10')})"
    )
    assert _label(con, "size_emp", "GE10") in fields[t("dl.meta.target_population", "en")]
    assert "10-49" not in fields[t("dl.meta.target_population", "en")]


def test_clean_values_drop_binary_noise_and_keep_published_digits():
    # Synthetic values: the noise of scaling (0.1 + 0.2, x 100) and a 17-digit publisher value.
    assert data_exports.clean(0.1 + 0.2) == 0.3
    assert data_exports.clean(0.3454 * 100) == 34.54
    assert data_exports.clean(-1.25) == -1.25
    assert data_exports.clean(None) is None
    table = pd.DataFrame({"value": [data_exports.clean(0.1 + 0.2), 12.5]})
    assert data_exports.csv_bytes(table).decode() == "value\n0.3\n12.5\n"


def test_csv_of_a_scaled_series_has_no_float_noise(snapshot_warehouse):
    """DESI 2022 publishes shares as fractions: x 100 gives 1.8000000000000003, which a CSV must not show."""
    c = read_cursor(connect_read_only(snapshot_warehouse))
    try:
        key = "indicator=1b1"
        obs = reports.series_observations(c, "desi", "desi_2022", key)
        values = explore.display_values(obs, 100)
        noisy = [repr(v) for v in values["value"].dropna() if NOISE.search(repr(v))]
        assert noisy, (
            "the scaled series should show binary noise before cleaning (else the test proves nothing)"
        )
        shown = data_exports.Shown(
            source="desi", dataset="desi_2022", codes=parse_key(key), values=values,
            names=data_exports.codes_of(c, "desi", "desi_2022", "en"), geo_names={}, unit="%", meta={},
        )  # fmt: skip
        found = data_exports.files(shown, "en", "csv", "x")
    finally:
        c.close()
    text = found["x.csv"].decode("utf-8")
    cells = [r["value"] for r in csv.DictReader(io.StringIO(text))]
    assert len(cells) == len(values) and all(cells)
    assert not [c for c in cells if NOISE.search(c)]
    # The digits kept are the publisher's: the cell read back is the value to 15 significant digits.
    assert [float(c) for c in cells] == pytest.approx(sorted_values(values), rel=1e-14)


def sorted_values(values: pd.DataFrame) -> list[float]:
    return values.sort_values(["geo", "period"])["value"].tolist()


@pytest.mark.parametrize("lang", LANGS)
def test_csv_for_excel_has_semicolons_decimal_commas_and_a_bom_beside_the_standard_csv(con, lang):
    shown = data_exports.indicator_shown(con, "renewables_share", lang, geos=["BE", "NL"])
    excel = data_exports.files(shown, lang, "csv-excel", "r")
    body = excel["r-excel.csv"]
    assert body.startswith(BOM) and excel["r-excel-metadata.txt"].startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(body[len(BOM) :].decode("utf-8")), delimiter=";"))
    expected = sorted_values(reports.indicator_values(con, "renewables_share", ["BE", "NL"]))
    value = t("dl.col.value", lang)  # headers in the reader's language: this file is for people
    assert len(rows) == len(expected) > 0
    assert all("." not in r[value] for r in rows) and any("," in r[value] for r in rows)
    assert [float(r[value].replace(",", ".")) for r in rows] == expected
    # Breakdown codes with their labels travel in columns.
    balance = shown.names.dimension("nrg_bal")
    code = t("dl.col.code", lang, dimension=balance)
    assert {r[code] for r in rows} == {"REN"} and all(r[balance] for r in rows)
    standard = data_exports.files(shown, lang, "csv", "r")["r.csv"]
    assert not standard.startswith(BOM)
    plain = list(csv.DictReader(io.StringIO(standard.decode("utf-8"))))
    assert [float(r["value"]) for r in plain] == expected
    # The sidecar says what the file holds, in the reader's language.
    meta = data_exports.files(shown, lang, "csv", "r")["r-metadata.txt"].decode("utf-8")
    assert t("dl.meta.dataset", lang) + t("dl.meta.sep", lang) + "eurostat/nrg_ind_ren" in meta


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_wide_layout_puts_countries_in_rows_years_in_columns_and_flags_beside(con, lang):
    # Cloud use: three survey years, and France's and Sweden's values carry flags in the excerpt.
    geos = ["BE", "FR", "SE", "EU27_2020"]
    shown = data_exports.indicator_shown(con, "cloud_enterprises", lang, geos=geos)
    long = reports.indicator_values(con, "cloud_enterprises", geos)
    book = openpyxl.load_workbook(io.BytesIO(data_exports.xlsx_bytes(shown, lang, wide=True)))
    assert book.sheetnames == [t(f"dl.sheet.{s}", lang) for s in ("values", "flags", "metadata")]
    values, flags = (list(book.worksheets[i].values) for i in (0, 1))
    header = values[0]
    assert header[:2] == (t("dl.col.geo", lang), t("dl.col.geo_name", lang))
    assert list(header[2:]) == sorted(long["period"].unique())
    assert [r[0] for r in values[1:]] == sorted(geos) and flags[0] == header
    for row, frow in zip(values[1:], flags[1:], strict=True):
        for period, cell, flag in zip(header[2:], row[2:], frow[2:], strict=True):
            match = long[(long["geo"] == row[0]) & (long["period"] == period)]
            assert cell == (float(match["value"].iloc[0]) if len(match) else None)
            wanted = match["obs_flag"].dropna().tolist() if len(match) else []
            assert (flag or "") == " ".join(wanted)
    assert any(f for r in flags[1:] for f in r[2:]), "the excerpt holds flagged values: none kept"
    wide_csv = data_exports.files(shown, lang, "csv", "r", wide=True)["r-wide.csv"].decode()
    csv_rows = list(csv.DictReader(io.StringIO(wide_csv)))
    assert [r["geo"] for r in csv_rows] == sorted(geos)
    assert all(f"{p}_flag" in csv_rows[0] for p in header[2:])


def test_cli_export_data_writes_each_format_and_the_metadata_beside_the_csv(fixture_env, tmp_path):
    out = tmp_path / "r.csv"
    args = ["export", "data", "renewables_share", "--geo", "BE,NL", "--lang", "nl", "--out", str(out)]
    assert main([*args, "--format", "csv-excel", "--wide"]) == 0
    header = f"{t('dl.col.geo', 'nl')};{t('dl.col.geo_name', 'nl')};"
    assert out.read_bytes().startswith(BOM) and out.read_bytes().decode("utf-8-sig").startswith(header)
    assert (tmp_path / "r-metadata.txt").read_text(encoding="utf-8-sig").startswith(t("dl.meta.title", "nl"))
    xlsx = tmp_path / "r.xlsx"
    assert main([*args[:-1], str(xlsx), "--format", "xlsx"]) == 0
    assert openpyxl.load_workbook(xlsx).sheetnames == [t("dl.sheet.data", "nl"), t("dl.sheet.metadata", "nl")]
