"""Statbel's Labour Force Survey quarterly workbook (Excel 97-2003) → rates by region, age, sex, quarter."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.readers import ReaderError, detect_format, read_file, statbel_eak
from pipelines.readers import statbel as statbel_reader

NAME = "Downloadbare_tabel_met_kwartaalresultaten_EAK_vanaf_2017_NL.xls"
EMP_20_64 = "age=Y20-64|indic=werkgelegenheidsgraad|sex=T|unit=RT"


@pytest.fixture(scope="module")
def eak(raw_dir: Path):
    return read_file(raw_dir / "statbel" / NAME)


def test_detected_by_content_as_statbel_xls(raw_dir: Path):
    assert detect_format(raw_dir / "statbel" / NAME) == "statbel-xls"


def test_employment_rate_20_64_in_the_second_quarter_of_2024(eak):
    # PROVENANCE.md (third pass) quotes these from Statbel's table: BE 72.24 %, Brussels 63.75 %,
    # Flanders 76.22 %, Wallonia 68.07 %.
    obs = eak.observations
    q = obs[(obs["series_key"] == EMP_20_64) & (obs["period"] == "2024-Q2")].set_index("geo")["value"]
    assert {g: round(v * 100, 2) for g, v in q.items()} == {
        "BE": 72.24,
        "BE1": 63.75,
        "BE2": 76.22,
        "BE3": 68.07,
    }


def test_thirty_quarters_four_geographies_and_the_2021_break(eak):
    obs = eak.observations
    emp = obs[obs["series_key"] == EMP_20_64]
    assert sorted(emp["geo"].unique()) == ["BE", "BE1", "BE2", "BE3"]
    assert (
        emp["period"].nunique() == 30
        and emp["period"].min() == "2017-Q1"
        and emp["period"].max() == "2024-Q2"
    )
    # "(b) Breuk in de resultaten in T1 2021": flagged on that quarter only, for every series.
    assert set(obs.loc[obs["obs_flag"] == "b", "period"]) == {"2021-Q1"}
    assert obs.loc[obs["period"] == "2021-Q1", "obs_flag"].eq("b").all()
    # Both rate sheets: 15-64 bands and 20-64 bands, three rates, three sexes.
    ages = {k.split("|")[0] for k in obs["series_key"]}
    assert {"age=Y15-64", "age=Y20-64", "age=Y55-64"} <= ages
    assert len(obs) == obs[["series_key", "geo", "period"]].drop_duplicates().shape[0]


def test_region_codes_are_statbels_own(raw_dir: Path, eak):
    """The NUTS codes the reader gives the region names are those of Statbel's reference table."""
    ref = statbel_reader.read_geo_reference(raw_dir / "statbel" / "TU_COM_NUTS_LAU-20190101.xlsx")
    regions = dict(zip(ref.loc[ref["level"] == 1, "name_nl"], ref.loc[ref["level"] == 1, "nuts_lau_code"],
                       strict=True))  # fmt: skip
    names = eak.labels[eak.labels["dimension"] == "geo"].set_index("label")["code"].to_dict()
    for name, code in names.items():
        if code != "BE":
            assert regions[name] == code


def test_definitions_and_break_note_are_kept(eak):
    text = " ".join(eak.notes)
    assert "Werkgelegenheidsgraad: het aantal personen tussen 20 en 64 jaar" in text
    assert "Breuk in de resultaten in T1 2021" in text


def test_an_ole2_file_that_is_no_workbook_names_the_file(tmp_path: Path):
    bad = tmp_path / "kapot.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ReaderError, match="kapot.xls"):
        detect_format(bad)
    with pytest.raises(ReaderError, match="kapot.xls"):
        statbel_eak.read(bad)
