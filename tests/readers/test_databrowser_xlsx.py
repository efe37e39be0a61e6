"""Data Browser xlsx reader: layout and label mapping on generated workbooks, then the real R&D export."""

from __future__ import annotations

import csv
import math
import warnings
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.readers import databrowser_xlsx
from pipelines.readers.base import OBS_COLUMNS, ReaderError
from pipelines.warehouse import choose_latest, read_raw

CODES_CSV = [
    ("dimension", "freq", "Time frequency"),
    ("dimension", "tstsect", "Test sector"),
    ("dimension", "unit", "Unit of measure"),
    ("dimension", "geo", "Geopolitical entity (reporting)"),
    ("dimension", "time", "Time"),
    ("freq", "A", "Annual"),
    ("tstsect", "ALL", "Every sector"),
    ("unit", "U1", "Test unit one"),
    ("unit", "U2", "Test unit two"),
    ("geo", "XA", "Exland"),
    ("geo", "YB", "Wyland"),
]
# geo label, year, unit-one value, flag, unit-two value, flag: obviously synthetic numbers
ROWS = [
    ("Exland", "2001", 10.5, "", 0.5, ""),
    ("Exland", 2002, 11.5, "p", 0.75, "p"),  # a year typed as a number
    ("Wyland", "2001", ":", "", ":", ""),  # not available, no flag: no observation
    ("Wyland", "2002", ":", "c", 2.25, "e"),  # confidential without value, then an estimate
]
EXPECTED = {
    ("U1", "XA", "2001"): (10.5, None, None),
    ("U2", "XA", "2001"): (0.5, None, None),
    ("U1", "XA", "2002"): (11.5, "p", None),
    ("U2", "XA", "2002"): (0.75, "p", None),
    ("U1", "YB", "2002"): (math.nan, None, "C"),
    ("U2", "YB", "2002"): (2.25, "e", None),
}


@pytest.fixture
def codelist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "test_labels.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["dimension", "code", "label", "evidence"])
        w.writerows([(*row, "synthetic test row") for row in CODES_CSV])
    monkeypatch.setattr(databrowser_xlsx, "LABEL_FILES", (path,))
    return path


def _export(path: Path, rows=ROWS, *, sheet: str = "Sheet 1", header: bool = True, page_title="Test sector"):
    """A workbook laid out like a Data Browser export (Summary, Structure, Sheet 1)."""
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary["A6"] = "Synthetic test table [tst_tiny__custom_42]"
    summary["A10"] = "Last update of data: "
    summary["D10"] = "14/01/2024 22:00"
    structure = wb.create_sheet("Structure")
    structure.append(["Structure"])
    structure.append([None, "Dimension", "Position"])
    structure.append([None, "Label", "Label"])
    for title, position in [
        ("Time frequency", "Annual"),
        (page_title, "Every sector"),
        ("Unit of measure", "Test unit one"),
        ("Unit of measure", "Test unit two"),
        ("Geopolitical entity (reporting)", "Exland"),
        ("Time", "2001"),
    ]:
        structure.append([None, title, position])
    ws = wb.create_sheet(sheet)
    ws["A1"] = "Data extracted on 20/01/2024 10:00:00 from [ESTAT]"
    ws["A2"], ws["B2"] = "Dataset: ", "Synthetic test table [tst_tiny__custom_42]"
    ws["A3"], ws["B3"] = "Last updated: ", "15/01/2024 23:00"
    ws["A5"], ws["C5"] = "Time frequency", "Annual"
    ws["A6"], ws["C6"] = page_title, "Every sector"
    if header:
        ws["A8"], ws["C8"], ws["E8"] = "UNIT (Labels)", "Test unit one", "Test unit two"
        ws.merge_cells("A8:B8")
        ws.merge_cells("C8:D8")
        ws.merge_cells("E8:F8")
        ws["A9"], ws["B9"] = "GEO (Labels)", "TIME"
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(row=10 + i, column=1 + j, value=v)
    foot = 10 + len(rows) + 1
    ws.cell(row=foot, column=1, value="Special value")
    ws.cell(row=foot + 1, column=1, value=":")
    ws.cell(row=foot + 1, column=2, value="not available")
    wb.save(path)
    return path


def _as_dict(obs: pd.DataFrame) -> dict:
    out = {}
    for r in obs.itertuples(index=False):
        unit = dict(p.split("=") for p in r.series_key.split("|"))["unit"]
        flags = tuple(None if pd.isna(f) else f for f in (r.obs_flag, r.conf_flag))
        out[(unit, r.geo, r.period)] = (r.value, *flags)
    return out


def _same(a: tuple, b: tuple) -> bool:
    return ((math.isnan(a[0]) and math.isnan(b[0])) or a[0] == b[0]) and a[1:] == b[1:]


def test_tiny_export_observations(tmp_path: Path, codelist: Path) -> None:
    result = databrowser_xlsx.read(_export(tmp_path / "tiny.xlsx"))
    assert list(result.observations.columns) == OBS_COLUMNS
    got = _as_dict(result.observations)
    assert set(got) == set(EXPECTED)
    for key, expected in EXPECTED.items():
        assert _same(got[key], expected), (key, got[key])
    assert set(result.observations["series_key"]) == {
        "freq=A|tstsect=ALL|unit=U1",
        "freq=A|tstsect=ALL|unit=U2",
    }


def test_tiny_export_metadata_and_labels(tmp_path: Path, codelist: Path) -> None:
    result = databrowser_xlsx.read(_export(tmp_path / "tiny.xlsx"))
    assert result.format == "databrowser-xlsx" and result.source == "eurostat"
    assert result.dataset == "tst_tiny"
    assert result.title == "Synthetic test table"
    assert result.upstream_updated == "2024-01-15T23:00:00"
    assert any("tst_tiny__custom_42" in n for n in result.notes)
    triples = set(zip(result.labels["dimension"], result.labels["code"], result.labels["label"], strict=True))
    assert {("geo", "XA", "Exland"), ("geo", "YB", "Wyland"), ("tstsect", "ALL", "Every sector")} <= triples
    assert ("unit", "U2", "Test unit two") in triples


def test_summary_last_update_is_the_fallback(tmp_path: Path, codelist: Path) -> None:
    path = _export(tmp_path / "tiny.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Sheet 1"]["B3"] = None
    wb.save(path)
    assert databrowser_xlsx.read(path).upstream_updated == "2024-01-14T22:00:00"


def test_unmapped_label_raises_naming_file_dimension_and_label(tmp_path: Path, codelist: Path) -> None:
    path = _export(tmp_path / "unmapped.xlsx", [*ROWS, ("Nowhereland", "2001", 1.0, "", 2.0, "")])
    with pytest.raises(ReaderError) as err:
        databrowser_xlsx.read(path)
    msg = str(err.value)
    assert "unmapped.xlsx" in msg and "'geo'" in msg and "Nowhereland" in msg


def test_unmapped_dimension_title_raises(tmp_path: Path, codelist: Path) -> None:
    path = _export(tmp_path / "title.xlsx", page_title="Mystery dimension")
    with pytest.raises(ReaderError, match="title.xlsx.*dimension title.*Mystery dimension"):
        databrowser_xlsx.read(path)


def test_missing_data_sheet_raises(tmp_path: Path, codelist: Path) -> None:
    path = _export(tmp_path / "nosheet.xlsx", sheet="Other")
    with pytest.raises(ReaderError, match="nosheet.xlsx.*no data sheet 'Sheet 1'"):
        databrowser_xlsx.read(path)


def test_sheet_without_data_block_raises(tmp_path: Path, codelist: Path) -> None:
    path = _export(tmp_path / "noblock.xlsx", rows=[], header=False)
    with pytest.raises(ReaderError, match="noblock.xlsx.*no data block"):
        databrowser_xlsx.read(path)


def test_header_without_rows_raises(tmp_path: Path, codelist: Path) -> None:
    path = _export(tmp_path / "norows.xlsx", rows=[])
    with pytest.raises(ReaderError, match="norows.xlsx.*no rows"):
        databrowser_xlsx.read(path)


def test_text_in_a_value_cell_raises_naming_the_cell(tmp_path: Path, codelist: Path) -> None:
    rows = [ROWS[0], ("Exland", "2002", "n/a", "", 1.0, "")]
    with pytest.raises(ReaderError, match=r"text.xlsx.*cell C11.*'n/a'"):
        databrowser_xlsx.read(_export(tmp_path / "text.xlsx", rows))


def test_not_a_workbook_raises(tmp_path: Path) -> None:
    bad = tmp_path / "fake.xlsx"
    bad.write_text("GEO,TIME,VALUE\n")
    with pytest.raises(ReaderError, match="fake.xlsx"):
        databrowser_xlsx.read(bad)


def test_shipped_code_lists_are_unambiguous_and_sourced() -> None:
    """Our own code list cites its evidence and never contradicts the shared Eurostat list."""
    seen: dict[tuple[str, str], set[str]] = {}
    for path in databrowser_xlsx.LABEL_FILES:
        if not path.is_file():
            continue
        with path.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                if path.name in ("databrowser_labels.csv", "databrowser_label_variants.csv"):
                    assert rec["evidence"].strip(), rec
                key = (rec["dimension"], " ".join(rec["label"].split()).casefold())
                seen.setdefault(key, set()).add(rec["code"])
    clashes = {
        k: v for k, v in seen.items() if len(v) > 1 and k[0] in ("dimension", "unit", "sectperf", "geo")
    }
    assert not clashes
    for key, code in [
        (("unit", "million euro"), "MIO_EUR"),
        (("unit", "percentage of gross domestic product (gdp)"), "PC_GDP"),
        (("sectperf", "all sectors"), "TOTAL"),
        (("dimension", "sector of performance"), "sectperf"),
    ]:
        assert seen[key] == {code}


# ---------------------------------------------------------------- the real export

REAL = "rd_e_gerdtot.databrowser.xlsx"
EU27 = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


@pytest.fixture(scope="module")
def real(raw_dir: Path):
    return databrowser_xlsx.read(raw_dir / "eurostat" / REAL)


@pytest.fixture(scope="module")
def sheet(raw_dir: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(raw_dir / "eurostat" / REAL)  # normal mode: read-only misreads the range
    return wb["Sheet 1"]


def _data_rows(sheet) -> list[int]:
    rows, r = [], 10
    while sheet.cell(r, 1).value not in (None, ""):
        rows.append(r)
        r += 1
    return rows


def _cell_row(sheet, geo_label: str, year: str) -> int:
    return next(
        r for r in _data_rows(sheet) if sheet.cell(r, 1).value == geo_label and sheet.cell(r, 2).value == year
    )


def _obs(real, unit: str, geo: str, period: str) -> pd.Series:
    o = real.observations
    hit = o[
        (o["series_key"] == f"freq=A|sectperf=TOTAL|unit={unit}")
        & (o["geo"] == geo)
        & (o["period"] == period)
    ]
    assert len(hit) == 1, (unit, geo, period, len(hit))
    return hit.iloc[0]


def test_real_count_matches_the_sheet(real, sheet) -> None:
    expected = 0
    for r in _data_rows(sheet):
        for vcol, fcol in ((3, 4), (5, 6)):
            value, flag = sheet.cell(r, vcol).value, sheet.cell(r, fcol).value
            expected += isinstance(value, (int, float)) or bool(flag)
    assert len(real.observations) == expected == 1220


def test_real_dataset_title_and_update(real, sheet) -> None:
    assert real.dataset == "rd_e_gerdtot"
    assert real.title == "GERD by sector of performance"
    stamp = datetime.strptime(sheet["B3"].value, "%d/%m/%Y %H:%M").isoformat()
    assert real.upstream_updated == stamp == "2023-12-06T23:00:00"
    assert set(real.observations["upstream_updated"]) == {stamp}


def test_real_codes_not_labels(real) -> None:
    obs = real.observations
    assert set(obs["series_key"]) == {
        "freq=A|sectperf=TOTAL|unit=MIO_EUR",
        "freq=A|sectperf=TOTAL|unit=PC_GDP",
    }
    assert set(obs["geo"]) == EU27
    assert set(obs["period"]) == {str(y) for y in range(2000, 2023)}


def test_real_belgium_2021_and_2022(real, sheet) -> None:
    r21, r22 = _cell_row(sheet, "Belgium", "2021"), _cell_row(sheet, "Belgium", "2022")
    pc = _obs(real, "PC_GDP", "BE", "2021")
    assert pc["value"] == sheet.cell(r21, 5).value == 3.43 and pd.isna(pc["obs_flag"])
    mio = _obs(real, "MIO_EUR", "BE", "2022")
    assert mio["value"] == sheet.cell(r22, 3).value and mio["obs_flag"] == sheet.cell(r22, 4).value == "p"
    assert _obs(real, "PC_GDP", "BE", "2022")["obs_flag"] == "p"


@pytest.mark.parametrize(("label", "code", "year"), [("Germany", "DE", "2020"), ("Greece", "EL", "2015")])
def test_real_country_labels_map_to_eurostat_codes(real, sheet, label: str, code: str, year: str) -> None:
    r = _cell_row(sheet, label, year)
    assert _obs(real, "MIO_EUR", code, year)["value"] == sheet.cell(r, 3).value
    assert _obs(real, "PC_GDP", code, year)["value"] == sheet.cell(r, 5).value


def test_real_not_available_cells_are_dropped(real, sheet) -> None:
    r = _cell_row(sheet, "Denmark", "2022")
    assert sheet.cell(r, 3).value == ":" and not sheet.cell(r, 4).value
    o = real.observations
    assert o[(o["geo"] == "DK") & (o["period"] == "2022")].empty


def test_real_flag_counts_match_the_sheet(real, sheet) -> None:
    counts: dict[str, int] = {}
    for r in _data_rows(sheet):
        for fcol in (4, 6):
            flag = sheet.cell(r, fcol).value
            if flag:
                counts[flag] = counts.get(flag, 0) + 1
    got = real.observations["obs_flag"].dropna().value_counts().to_dict()
    assert got == counts and {"p", "e", "b", "d", "be"} <= set(got)
    assert real.observations["conf_flag"].isna().all()


# ---------------------------------------------------------------- road_eqr_carpda: a sheet per motor energy

CARS_2023 = "road_eqr_carpda.databrowser_2023-03.xlsx"
CARS_2024 = "road_eqr_carpda_elc.databrowser_2024-04.xlsx"
BEV = "freq=A|mot_nrg=ELC|unit=NR"


@pytest.fixture(scope="module")
def cars(raw_dir: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return databrowser_xlsx.read(raw_dir / "eurostat" / CARS_2023), databrowser_xlsx.read(
            raw_dir / "eurostat" / CARS_2024
        )


def test_each_sheet_is_one_motor_energy(cars) -> None:
    full, _ = cars
    energies = {k.split("|")[1] for k in full.observations["series_key"]}
    assert len(energies) == 17 and {"mot_nrg=ELC", "mot_nrg=PET_X_HYB", "mot_nrg=ELC_PET_PI"} <= energies
    assert full.dataset == "road_eqr_carpda" and full.upstream_updated == "2023-03-30T23:00:00"
    # The dataset publishes no EU aggregate, and Slovakia is absent (PROVENANCE.md).
    assert not {"EU27_2020", "SK"} & set(full.observations["geo"])


def test_custom_view_is_the_dataset_itself(cars) -> None:
    _, elc = cars
    assert elc.dataset == "road_eqr_carpda"  # the export says road_eqr_carpda__custom_10932424
    assert set(elc.observations["series_key"]) == {BEV}
    be = elc.observations[elc.observations["geo"] == "BE"].set_index("period")["value"]
    assert be.index.max() == "2022"


def test_the_later_extraction_is_kept_whole_never_spliced(cars, raw_dir: Path, tmp_path: Path) -> None:
    """The 2024 extraction revises earlier years for some countries: its series replaces the 2023 one."""
    full, elc = cars
    a = full.observations[full.observations["series_key"] == BEV].set_index(["geo", "period"])["value"]
    b = elc.observations.set_index(["geo", "period"])["value"]
    shared = a.index.intersection(b.index)
    assert (a.loc["BE"] == b.loc["BE"][a.loc["BE"].index]).all()  # Belgium unrevised
    assert (a[shared] != b[shared]).sum() > 10  # e.g. France 2021: 160,710 then 165,566
    for name in (CARS_2023, CARS_2024):
        (tmp_path / name).symlink_to(raw_dir / "eurostat" / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept, dropped = choose_latest(read_raw(tmp_path))
    assert [Path(p.location).name for p in kept] == [CARS_2024]
    assert [Path(old.location).name for old, _ in dropped] == [CARS_2023]
