"""SDMX-CSV reader and its label code list: excerpts and broken files (always), real payloads (../shared).

Expected values are quoted from the raw files; counts come from the csv module, not from the reader.
"""

from __future__ import annotations

import csv
import math
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from pipelines.codelists import build_labels
from pipelines.readers import sdmx_csv
from pipelines.readers.base import LABEL_COLUMNS, OBS_COLUMNS, ReaderError

EUROSTAT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eurostat"
CODELIST = Path(sdmx_csv.__file__).resolve().parents[1] / "codelists" / "eurostat_labels.csv"


# --- independent helpers: the csv module only --------------------------------------------------------


@cache
def raw_rows(path: Path) -> tuple[dict[str, str], ...]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return tuple(csv.DictReader(fh))


def count_kept_rows(path: Path) -> int:
    """Rows with a value, or without one but flagged (OBS_FLAG or CONF_STATUS)."""
    return sum(any(r.get(c, "") for c in ("OBS_VALUE", "OBS_FLAG", "CONF_STATUS")) for r in raw_rows(path))


def raw_row(path: Path, **match: str) -> dict[str, str]:
    hits = [r for r in raw_rows(path) if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"{len(hits)} raw rows match {match}"
    return hits[0]


@cache
def read(path: Path):
    return sdmx_csv.read(path)


def obs_at(result, series_key: str, geo: str, period: str):
    df = result.observations
    hit = df[(df.series_key == series_key) & (df.geo == geo) & (df.period == period)]
    assert len(hit) <= 1
    return None if hit.empty else hit.iloc[0]


def assert_obs(row, value: float | None, obs_flag: str | None = None, conf_flag: str | None = None):
    assert row is not None, "observation missing"
    if value is None:
        assert math.isnan(row.value)
    else:
        assert row.value == pytest.approx(value)
    assert (row.obs_flag if isinstance(row.obs_flag, str) else None) == obs_flag
    assert (row.conf_flag if isinstance(row.conf_flag, str) else None) == conf_flag


def label_pairs(result) -> set[tuple[str, str, str]]:
    return set(result.labels[["dimension", "code", "label"]].itertuples(index=False, name=None))


# --- unit tests on excerpts (always run) -------------------------------------------------------------

DII_KEY = "freq=A|indic_is={indic}|nace_r2=C10-S951_X_K|size_emp={size}|unit=PC_ENT"


def test_sdmx_csv_2_codes_and_labels_excerpt():
    path = EUROSTAT_FIXTURES / "isoc_e_dii_excerpt.sdmx.csv"
    result = sdmx_csv.read(path)
    assert result.format == "sdmx-csv-2.0"
    assert result.dataset == "isoc_e_dii"
    assert result.title == "Digital Intensity by size class of enterprise"
    assert result.upstream_updated is None
    assert list(result.observations.columns) == OBS_COLUMNS
    assert len(result.observations) == count_kept_rows(path) == 6
    gelo = DII_KEY.format(indic="E_DI3_GELO", size="10-249")
    assert raw_row(path, geo="BE", TIME_PERIOD="2021")["OBS_VALUE"] == "65.35"
    assert_obs(obs_at(result, gelo, "BE", "2021"), 65.35)
    assert raw_row(path, geo="EE", TIME_PERIOD="2025")["OBS_FLAG"] == "d"
    assert_obs(obs_at(result, gelo, "EE", "2025"), 72.12, "d")
    assert_obs(obs_at(result, gelo, "FR", "2023"), 51.97, "b")
    assert_obs(obs_at(result, DII_KEY.format(indic="E_DI3_VHI", size="10-249"), "BA", "2023"), None, "u")
    assert_obs(obs_at(result, DII_KEY.format(indic="E_DI3_HI", size="GE10"), "FR", "2023"), None, "bu")
    me = raw_row(path, geo="ME")
    assert (me["OBS_VALUE"], me["OBS_FLAG"], me["CONF_STATUS"]) == ("", "", "C")
    assert_obs(
        obs_at(result, DII_KEY.format(indic="E_DI3_GELO", size="GE250"), "ME", "2023"), None, None, "C"
    )


def test_sdmx_csv_2_labels_are_returned_with_codes():
    result = sdmx_csv.read(EUROSTAT_FIXTURES / "isoc_e_dii_excerpt.sdmx.csv")
    assert list(result.labels.columns) == LABEL_COLUMNS
    assert set(result.labels.lang) == {"en"}
    pairs = label_pairs(result)
    assert ("geo", "BE", "Belgium") in pairs
    assert ("freq", "A", "Annual") in pairs
    assert ("size_emp", "GE250", "250 persons employed or more") in pairs
    assert ("unit", "PC_ENT", "Percentage of enterprises") in pairs
    assert {d for d, _, _ in pairs} == {"freq", "size_emp", "nace_r2", "indic_is", "unit", "geo"}


def test_sdmx_csv_2_codes_only():
    """Synthetic layout: real isoc_eb_ai rows with the label columns removed (SDMX-CSV 2.0 `labels=id`)."""
    path = EUROSTAT_FIXTURES / "isoc_eb_ai_codes_only_synthetic.sdmx.csv"
    result = sdmx_csv.read(path)
    assert result.format == "sdmx-csv-2.0"
    assert result.dataset == "isoc_eb_ai"
    assert result.labels.empty
    assert result.title is None
    assert len(result.observations) == count_kept_rows(path) == 4
    key = "freq=A|indic_is={}|nace_r2=C10-S951_X_K|size_emp=GE10|unit=PC_ENT"
    assert_obs(obs_at(result, key.format("E_AI_ADOWN"), "BE", "2025"), 6.61)
    assert_obs(obs_at(result, key.format("E_AI_ADOWN"), "FR", "2025"), None, "u")
    assert_obs(obs_at(result, key.format("E_AI_TANY"), "NL", "2025"), 33.21, "b")


def test_sdmx_csv_1_codes_excerpt():
    path = EUROSTAT_FIXTURES / "nrg_ind_ren_excerpt.csv"
    result = sdmx_csv.read(path)
    assert result.format == "sdmx-csv-1.0"
    assert result.dataset == "nrg_ind_ren"
    assert raw_rows(path)[0]["LAST UPDATE"] == "07/03/25 23:00:00"
    assert result.upstream_updated == "2025-03-07T23:00:00+01:00"
    assert set(result.observations.upstream_updated) == {"2025-03-07T23:00:00+01:00"}
    assert len(result.observations) == count_kept_rows(path) == 7
    assert_obs(obs_at(result, "freq=A|nrg_bal=REN|unit=PC", "BE", "2023"), 14.741)
    assert_obs(obs_at(result, "freq=A|nrg_bal=REN_ELC|unit=PC", "BE", "2023"), 31.37)
    assert_obs(obs_at(result, "freq=A|nrg_bal=REN|unit=PC", "AL", "2004"), 29.62)


def test_explicit_dataset_argument_wins():
    result = sdmx_csv.read(EUROSTAT_FIXTURES / "nrg_ind_ren_excerpt.csv", dataset="NRG_X")
    assert result.dataset == "nrg_x"
    assert set(result.observations.dataset) == {"nrg_x"}


def test_last_update_in_summer_is_cest():
    """Synthetic LAST UPDATE in July: Brussels is on summer time (+02:00) then."""
    result = sdmx_csv.read(EUROSTAT_FIXTURES / "nrg_ind_ren_summer_update_synthetic.csv")
    assert result.upstream_updated == "2024-07-15T11:00:00+02:00"


def test_plain_missing_value_without_flag_is_dropped():
    """Synthetic: the BE 2022 value blanked, no flag; a bare missing cell carries no information."""
    path = EUROSTAT_FIXTURES / "nrg_ind_ren_plain_missing_synthetic.csv"
    result = sdmx_csv.read(path)
    assert len(result.observations) == count_kept_rows(path) == 1
    assert obs_at(result, "freq=A|nrg_bal=REN|unit=PC", "BE", "2022") is None


def test_sdmx_csv_1_labels_only_is_mapped_to_codes():
    path = EUROSTAT_FIXTURES / "isoc_sk_dskl_i21_labels_excerpt.csv"
    result = sdmx_csv.read(path)
    assert result.dataset == "isoc_sk_dskl_i21"
    assert result.upstream_updated == "2024-12-17T11:00:00+01:00"
    assert any("labels" in note for note in result.notes)
    assert len(result.observations) == count_kept_rows(path) == 5
    key = "freq=A|ind_type=IND_TOTAL|indic_is={}|unit={}"
    assert_obs(obs_at(result, key.format("I_DSK2_BAB", "PC_IND"), "BE", "2023"), 59.39)
    assert_obs(obs_at(result, key.format("I_DSK2_AB", "PC_IND"), "BE", "2023"), 28.26)
    assert_obs(obs_at(result, key.format("I_DSK2_AB", "PC_IND"), "CH", "2023"), 42.69)
    assert_obs(obs_at(result, key.format("I_DSK2_AB", "PC_IND"), "EA", "2021"), 28.22)
    assert_obs(obs_at(result, key.format("I_DSK2_AB", "PC_IND_IU3"), "BE", "2023"), 29.87)
    pairs = label_pairs(result)
    assert ("geo", "BE", "Belgium") in pairs
    assert ("unit", "PC_IND_IU3", "Percentage of individuals who used internet in the last 3 months") in pairs


def test_unmapped_label_raises_naming_file_dimension_and_label():
    with pytest.raises(ReaderError) as err:
        sdmx_csv.read(EUROSTAT_FIXTURES / "isoc_sk_dskl_i21_unmapped_geo.csv")
    msg = str(err.value)
    assert "isoc_sk_dskl_i21_unmapped_geo.csv" in msg
    assert "'geo'" in msg
    assert "Belgique" in msg


def test_label_with_two_codes_is_refused(tmp_path):
    """Synthetic: Eurostat labels nace_r2 D and D35 alike; mapping must refuse rather than pick one."""
    header = "DATAFLOW,LAST UPDATE,freq,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
    row = (
        'ESTAT:X(1.0),17/12/24 11:00:00,Annual,"Electricity, gas, steam and air conditioning supply",'
        "Belgium,2023,1,,\n"
    )
    path = tmp_path / "ambiguous.csv"
    path.write_text(header + row, encoding="utf-8")
    with pytest.raises(
        ReaderError, match=r"ambiguous\.csv: dimension 'nace_r2': label\(s\) map to several codes"
    ):
        sdmx_csv.read(path)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("empty.csv", "empty file"),
        ("html_page.csv", "missing required column(s) ['geo', 'TIME_PERIOD', 'OBS_VALUE']"),
        ("missing_obs_value.csv", "missing required column(s) ['OBS_VALUE']"),
        ("unexpected_first_column.csv", "unexpected header, first column 'SOURCE'"),
        ("nrg_ind_ren_bad_value_synthetic.csv", "OBS_VALUE 'n/a' is not a number"),
    ],
)
def test_broken_files_raise_reader_error_naming_the_file(name, fragment):
    with pytest.raises(ReaderError) as err:
        sdmx_csv.read(EUROSTAT_FIXTURES / name)
    assert name in str(err.value)
    assert fragment in str(err.value)


# --- the committed code list --------------------------------------------------------------------------


def test_codelist_rows_carry_evidence():
    table = pd.read_csv(CODELIST, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["dimension", "code", "label", "evidence"]
    assert (table[["dimension", "code", "label", "evidence"]] != "").all().all()
    payload = table.evidence.str.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
    external = table.evidence.str.fullmatch(r"[\w.-]+/[\w.-]+:[^:]+")
    assert (payload | external).all(), table[~(payload | external)]
    assert not table.duplicated(["dimension", "code", "label"]).any()


def test_codelist_external_rows_are_the_confirmed_ones():
    table = pd.read_csv(CODELIST, dtype=str, keep_default_na=False)
    external = table[table.evidence.str.contains(":", regex=False)]
    expected = {(d, c, lab, e) for d, c, lab, e in build_labels.EXTERNAL}
    assert set(external.itertuples(index=False, name=None)) == expected
    skills = external[external.dimension == "indic_is"]
    assert len(skills) == 24 and skills.code.str.startswith("I_DSK2_").all()


# --- real payloads (skips without ../shared) -------------------------------------------------------------

REAL_FILES = {
    # file → (format, dataset, upstream_updated from LAST UPDATE read by eye, title)
    "isoc_eb_ai.sdmx.csv": (
        "sdmx-csv-2.0",
        "isoc_eb_ai",
        None,
        "Artificial intelligence by size class of enterprise",
    ),
    "isoc_e_dii.sdmx.csv": (
        "sdmx-csv-2.0",
        "isoc_e_dii",
        None,
        "Digital Intensity by size class of enterprise",
    ),
    "nrg_ind_ren.sdmx.csv": ("sdmx-csv-1.0", "nrg_ind_ren", "2025-03-07T23:00:00+01:00", None),
    "isoc_sk_dskl_i21.sdmx_labels.csv": (
        "sdmx-csv-1.0",
        "isoc_sk_dskl_i21",
        "2024-12-17T11:00:00+01:00",
        None,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_file_count_dataset_and_date(raw_dir, name):
    path = raw_dir / "eurostat" / name
    fmt, dataset, updated, title = REAL_FILES[name]
    result = read(path)
    assert (result.format, result.dataset, result.upstream_updated, result.title) == (
        fmt,
        dataset,
        updated,
        title,
    )
    assert len(result.observations) == count_kept_rows(path)
    assert not result.observations.duplicated(["series_key", "geo", "period"]).any()


@pytest.mark.slow
def test_real_isoc_eb_ai_cells(raw_dir):
    path = raw_dir / "eurostat" / "isoc_eb_ai.sdmx.csv"
    result = read(path)
    key = "freq=A|indic_is={}|nace_r2=C10-S951_X_K|size_emp=GE10|unit=PC_ENT"
    assert raw_row(path, indic_is="E_AI_ADOWN", geo="BE")["OBS_VALUE"] == "6.61"
    assert_obs(obs_at(result, key.format("E_AI_ADOWN"), "BE", "2025"), 6.61)
    fr = raw_row(path, indic_is="E_AI_ADOWN", geo="FR")
    assert (fr["OBS_VALUE"], fr["OBS_FLAG"]) == ("", "u")
    assert_obs(obs_at(result, key.format("E_AI_ADOWN"), "FR", "2025"), None, "u")
    nl = raw_row(path, indic_is="E_AI_TANY", geo="NL")
    assert (nl["OBS_VALUE"], nl["OBS_FLAG"]) == ("33.21", "b")
    assert_obs(obs_at(result, key.format("E_AI_TANY"), "NL", "2025"), 33.21, "b")
    assert (
        "indic_is",
        "E_AI_ADOWN",
        "Enterprises' AI technologies were developed by own employees",
    ) in label_pairs(result)


@pytest.mark.slow
def test_real_isoc_e_dii_cells_and_confidential_rows(raw_dir):
    path = raw_dir / "eurostat" / "isoc_e_dii.sdmx.csv"
    result = read(path)
    gelo = DII_KEY.format(indic="E_DI3_GELO", size="10-249")
    assert (
        raw_row(path, indic_is="E_DI3_GELO", size_emp="10-249", geo="BE", TIME_PERIOD="2025")["OBS_VALUE"]
        == "84.35"
    )
    assert_obs(obs_at(result, gelo, "BE", "2025"), 84.35)
    assert_obs(obs_at(result, gelo, "EE", "2025"), 72.12, "d")
    me = raw_row(path, indic_is="E_DI3_GELO", size_emp="GE250", geo="ME", TIME_PERIOD="2023")
    assert (me["OBS_VALUE"], me["CONF_STATUS"]) == ("", "C")
    assert_obs(
        obs_at(result, DII_KEY.format(indic="E_DI3_GELO", size="GE250"), "ME", "2023"), None, None, "C"
    )
    confidential = sum(r["CONF_STATUS"] == "C" for r in raw_rows(path))
    assert confidential == 9
    assert int((result.observations.conf_flag == "C").sum()) == confidential
    ea = (
        "Euro area (EA11-1999, EA12-2001, EA13-2007, EA15-2008, EA16-2009, EA17-2011, EA18-2014, EA19-2015, "
        "EA20-2023, EA21-2026)"
    )
    assert ("geo", "EA", ea) in label_pairs(result)


@pytest.mark.slow
def test_real_nrg_ind_ren_cells(raw_dir):
    path = raw_dir / "eurostat" / "nrg_ind_ren.sdmx.csv"
    result = read(path)
    assert {r["LAST UPDATE"] for r in raw_rows(path)} == {"07/03/25 23:00:00"}
    assert raw_row(path, nrg_bal="REN", geo="BE", TIME_PERIOD="2023")["OBS_VALUE"] == "14.741"
    assert_obs(obs_at(result, "freq=A|nrg_bal=REN|unit=PC", "BE", "2023"), 14.741)
    assert raw_row(path, nrg_bal="REN_ELC", geo="BE", TIME_PERIOD="2022")["OBS_VALUE"] == "29.098"
    assert_obs(obs_at(result, "freq=A|nrg_bal=REN_ELC|unit=PC", "BE", "2022"), 29.098)
    assert result.labels.empty


@pytest.mark.slow
def test_real_labels_only_file_maps_every_label(raw_dir):
    path = raw_dir / "eurostat" / "isoc_sk_dskl_i21.sdmx_labels.csv"
    result = read(path)
    rows = raw_rows(path)
    # Every distinct raw label got exactly one code.
    for dim in ("freq", "ind_type", "indic_is", "unit", "geo"):
        raw_labels = {r[dim] for r in rows}
        mapped = result.labels[result.labels.dimension == dim]
        assert set(mapped.label) == raw_labels, dim
        assert mapped.code.is_unique, dim
    key = "freq=A|ind_type=IND_TOTAL|indic_is={}|unit={}"
    bab = (
        "Individuals with basic or above basic overall digital skills (all five component indicators are at "
        "basic or above basic level)"
    )
    raw_be = raw_row(path, indic_is=bab, unit="Percentage of individuals", geo="Belgium", TIME_PERIOD="2023")
    assert raw_be["OBS_VALUE"] == "59.39"
    assert_obs(obs_at(result, key.format("I_DSK2_BAB", "PC_IND"), "BE", "2023"), 59.39)
    na = (
        "Digital skills could not be assessed because the individual has not used the internet "
        "in the last 3 months"
    )
    raw_na = raw_row(path, indic_is=na, unit="Percentage of individuals", geo="Belgium", TIME_PERIOD="2023")
    assert_obs(obs_at(result, key.format("I_DSK2_NA", "PC_IND"), "BE", "2023"), float(raw_na["OBS_VALUE"]))
    assert set(result.observations.geo) >= {"BE", "CH", "IS", "EA", "EU27_2020"}
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", g) for g in result.observations.geo)


@pytest.mark.slow
def test_codelist_is_reproducible_from_payloads(raw_dir):
    built = build_labels.build(raw_dir / "eurostat")
    committed = pd.read_csv(CODELIST, dtype=str, keep_default_na=False)
    assert committed.equals(built)
