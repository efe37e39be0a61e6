"""DESI reader: editions vs reference years on generated workbooks, then cells of the real DESI 2022 file."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.readers import desi
from pipelines.readers.base import OBS_COLUMNS, ReaderError

META_HEADER = ["No", "Indicator", "Definition", "Unit of measure", "Source", "Notes"] + [
    f"Year {i}" for i in range(1, 7)
]
# Synthetic indicators: 1a1 reports the same reference year in editions y5 and y6, 4a2 does not.
META_ROWS = [
    [1, "1a1 Synthetic share", "d", "% widgets", "s", "", None, None, None, None, 2020, 2020],
    [2, "4a2 Synthetic score", "d", "Score (0 to 100)", "s", "", None, None, None, None, 2019, 2021],
    [3, "i2"],
]
DATA_ROWS = [
    ["y6", "AA", "y6_AA", 0.25, 75.5],
    ["y6", "EU", "y6_EU", 0.2, ""],
    ["y5", "AA", "y5_AA", 0.25, 60.0],
    ["y5", "EU", "y5_EU", 0.3, None],
]


def _workbook(
    path: Path, *, data_rows=DATA_ROWS, formula_header: bool = False, with_data: bool = True
) -> Path:
    wb = openpyxl.Workbook()
    meta = wb.active
    meta.title = "Metadata"
    meta.append(META_HEADER)
    for row in META_ROWS:
        meta.append(row)
    # A helper table further down repeats the indicator names, as the real workbook does (row 100).
    meta.cell(10, 2, "1a1 Synthetic share")
    meta.cell(10, 3, "4a2 Synthetic score")
    meta.cell(10, 12, "4a2 Synthetic score")
    if with_data:
        data = wb.create_sheet("Data")
        names = (
            ["=Metadata!B10", "=Metadata!C10"]
            if formula_header
            else ["1a1 Synthetic share", "4a2 Synthetic score"]
        )
        data.append(["Year", "Country", "Year + country", *names])
        for row in data_rows:
            data.append(row)
        data.append([])
        data.append([None, None, "Min", 0.1, 0.2])  # statistics block below the data, not data
    wb.save(path)
    return path


def _value(obs: pd.DataFrame, ind: str, geo: str, period: str) -> float:
    hit = obs[(obs["series_key"] == f"indicator={ind}") & (obs["geo"] == geo) & (obs["period"] == period)]
    assert len(hit) == 1, (ind, geo, period, len(hit))
    return float(hit["value"].iloc[0])


@pytest.mark.parametrize("formula_header", [False, True])
def test_reference_years_and_latest_edition(tmp_path: Path, formula_header: bool) -> None:
    result = desi.read(_workbook(tmp_path / "desi.xlsx", formula_header=formula_header))
    obs = result.observations
    assert list(obs.columns) == OBS_COLUMNS
    assert len(obs) == 4
    assert _value(obs, "1a1", "AA", "2020") == 0.25
    assert _value(obs, "1a1", "EU", "2020") == 0.2  # y6 wins over y5's 0.3
    assert _value(obs, "4a2", "AA", "2021") == 75.5
    assert _value(obs, "4a2", "AA", "2019") == 60.0
    assert set(obs["source"]) == {"desi"} and set(obs["dataset"]) == {"desi_2022"}
    assert obs["obs_flag"].isna().all() and obs["conf_flag"].isna().all()


def test_editions_are_recorded(tmp_path: Path) -> None:
    result = desi.read(_workbook(tmp_path / "desi.xlsx"))
    ed = result.editions
    assert len(ed) == 6 and int(ed["kept"].sum()) == 4
    lost = ed[~ed["kept"]].set_index(["series_key", "geo"])
    assert set(lost.index) == {("indicator=1a1", "AA"), ("indicator=1a1", "EU")}
    assert set(lost["edition"]) == {2021} and set(lost["edition_code"]) == {"y5"}
    labels = result.labels[result.labels["dimension"] == "edition"].set_index("code")["label"]
    assert labels["indicator=1a1|EU|2020"] == "DESI 2022"
    assert labels["indicator=4a2|AA|2019"] == "DESI 2021"
    assert len(labels) == len(result.observations)
    assert any("2 earlier value(s) set aside, 1 of them different" in n for n in result.notes)


def test_indicator_and_unit_labels(tmp_path: Path) -> None:
    labels = desi.read(_workbook(tmp_path / "desi.xlsx")).labels
    pairs = set(zip(labels["dimension"], labels["code"], labels["label"], strict=True))
    assert ("indicator", "1a1", "Synthetic share") in pairs
    assert ("unit", "4a2", "Score (0 to 100)") in pairs
    assert ("unit", "1a1", "% widgets") in pairs


def test_eu_is_kept_and_noted(tmp_path: Path) -> None:
    result = desi.read(_workbook(tmp_path / "desi.xlsx"))
    assert "EU" in set(result.observations["geo"])
    assert any("'EU'" in n for n in result.notes)


def test_missing_data_sheet_raises(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "nodata.xlsx", with_data=False)
    with pytest.raises(ReaderError) as err:
        desi.read(path)
    assert "nodata.xlsx" in str(err.value) and "sheet 'Data'" in str(err.value)


def test_value_without_reference_year_raises(tmp_path: Path) -> None:
    rows = [*DATA_ROWS, ["y4", "AA", "y4_AA", 0.5, None]]  # Metadata gives 1a1 no Year 4
    with pytest.raises(ReaderError, match="undated.xlsx.*indicator 1a1.*edition y4"):
        desi.read(_workbook(tmp_path / "undated.xlsx", data_rows=rows))


def test_text_in_data_raises(tmp_path: Path) -> None:
    rows = [["y6", "AA", "y6_AA", "n/a", 1.0]]
    with pytest.raises(ReaderError, match="text.xlsx.*1a1.*'n/a'"):
        desi.read(_workbook(tmp_path / "text.xlsx", data_rows=rows))


def test_not_a_workbook_raises(tmp_path: Path) -> None:
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReaderError, match="fake.xlsx"):
        desi.read(bad)


# ---------------------------------------------------------------- the real DESI 2022 workbook

REAL = "DESI_2022_final.xlsx"
_CODE = re.compile(r"^(\d[a-z]\d+)\s")


@pytest.fixture(scope="module")
def real(raw_dir: Path) -> desi.DesiReadResult:
    return desi.read(raw_dir / "desi" / REAL)


@pytest.fixture(scope="module")
def book(raw_dir: Path):
    """The raw sheets read independently: Metadata years per indicator and the Data block cells."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(raw_dir / "desi" / REAL, read_only=True, data_only=True)
    years = {}
    for row in wb["Metadata"].iter_rows(min_row=2, max_row=34, values_only=True):
        years[_CODE.match(row[1])[1]] = {f"y{i}": row[5 + i] for i in range(1, 7)}
    data = list(wb["Data"].iter_rows(min_row=1, max_row=169, values_only=True))
    wb.close()
    header = [(_CODE.match(h)[1] if isinstance(h, str) and _CODE.match(h) else None) for h in data[0]]
    cells = {}  # (indicator, country, edition) -> value
    for row in data[1:]:
        for col, ind in enumerate(header):
            if ind and row[col] not in (None, ""):
                cells[(ind, row[1], row[0])] = row[col]
    return {"years": years, "cells": cells, "header": header}


def test_real_counts(real, book) -> None:
    keys = {(ind, geo, str(book["years"][ind][ed])) for ind, geo, ed in book["cells"]}
    assert len(real.observations) == len(keys) == 3138
    superseded = len(book["cells"]) - len(keys)
    assert superseded == 439 and any(f"({superseded} earlier value(s) set aside" in n for n in real.notes)
    assert len(real.editions) == len(book["cells"])


def test_real_cells(real, book) -> None:
    obs = real.observations
    cells, years = book["cells"], book["years"]
    # At least basic digital skills, Belgium, DESI 2022 → reference year 2021, a fraction
    assert years["1a1"]["y6"] == 2021
    assert _value(obs, "1a1", "BE", "2021") == cells[("1a1", "BE", "y6")] == pytest.approx(0.542318)
    # VHCN coverage and 5G coverage, Belgium
    assert _value(obs, "2b2", "BE", str(years["2b2"]["y6"])) == cells[("2b2", "BE", "y6")]
    assert _value(obs, "2c2", "BE", str(years["2c2"]["y6"])) == cells[("2c2", "BE", "y6")]
    # e-Government users, Greece is EL
    assert _value(obs, "4a1", "EL", str(years["4a1"]["y6"])) == cells[("4a1", "EL", "y6")]
    # a score on 0..100 kept as such
    score = _value(obs, "4a2", "BE", "2021")
    assert score == cells[("4a2", "BE", "y6")] and 70 < score < 80


def test_real_latest_edition_wins(real, book) -> None:
    years, cells = book["years"], book["cells"]
    # 2c3 mobile broadband take-up: editions y3, y4, y5 all report reference year 2018
    assert years["2c3"]["y3"] == years["2c3"]["y4"] == years["2c3"]["y5"] == 2018
    assert _value(real.observations, "2c3", "BE", "2018") == cells[("2c3", "BE", "y5")]
    labels = real.labels[real.labels["dimension"] == "edition"].set_index("code")["label"]
    assert labels["indicator=2c3|BE|2018"] == "DESI 2021"
    assert labels["indicator=1a1|BE|2021"] == "DESI 2022"
    ed = real.editions
    be = ed[(ed["series_key"] == "indicator=2c3") & (ed["geo"] == "BE") & (ed["period"] == "2018")]
    assert sorted(be["edition"]) == [2019, 2020, 2021] and be.loc[be["kept"], "edition"].tolist() == [2021]


def test_real_geo_and_labels(real) -> None:
    geos = set(real.observations["geo"])
    assert len(geos) == 28 and "EU" in geos and "EL" in geos and "EU27_2020" not in geos
    labels = real.labels
    ind = labels[labels["dimension"] == "indicator"].set_index("code")["label"]
    unit = labels[labels["dimension"] == "unit"].set_index("code")["label"]
    assert len(ind) == 33 and ind["2b2"] == "Fixed Very High Capacity Network (VHCN) coverage"
    assert unit["1a1"] == "% individuals" and unit["4a2"] == "Score (0 to 100)"
    assert set(real.observations["series_key"]) == {f"indicator={c}" for c in ind.index}


def test_real_upstream_updated_is_the_saved_time(raw_dir: Path, real) -> None:
    with zipfile.ZipFile(raw_dir / "desi" / REAL) as zf:
        core = zf.read("docProps/core.xml").decode()
    modified = re.search(r"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>", core)[1]
    assert real.upstream_updated == modified.replace("Z", "+00:00") == "2023-02-08T17:39:06+00:00"
    assert real.dataset == "desi_2022" and real.source == "desi"
