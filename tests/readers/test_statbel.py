"""Statbel reader tests: committed excerpt fixtures (always) and the real payloads (when ../shared exists)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.readers import statbel
from pipelines.readers.base import LABEL_COLUMNS, OBS_COLUMNS, ReaderError

EXCERPT_MEMBER = "TF_SOC_POP_STRUCT_2022.txt"
POP_KEY = ("CD_REFNIS", "CD_SEX", "CD_NATLTY", "CD_CIV_STS", "CD_AGE")


@pytest.fixture(scope="module")
def statbel_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "statbel"


@pytest.fixture(scope="module")
def excerpt(statbel_dir: Path):
    return statbel.read(statbel_dir / "TF_SOC_POP_STRUCT_2022.zip")


@pytest.fixture(scope="module")
def excerpt_bytes(statbel_dir: Path) -> bytes:
    with zipfile.ZipFile(statbel_dir / "TF_SOC_POP_STRUCT_2022.zip") as archive:
        return archive.read(EXCERPT_MEMBER)


def _key(dims: dict[str, str]) -> str:
    """Series key as the module docstring defines it, written out independently of the reader."""
    return (
        f"cd_age={dims['CD_AGE']}|cd_civ_sts={dims['CD_CIV_STS']}|cd_natlty={dims['CD_NATLTY']}"
        f"|cd_sex={dims['CD_SEX']}|measure=ms_population"
    )


def _value(obs: pd.DataFrame, geo: str, key: str) -> float:
    hit = obs[(obs["geo"] == geo) & (obs["series_key"] == key)]
    assert len(hit) == 1, f"{len(hit)} observations for {geo} {key}"
    return float(hit["value"].iloc[0])


def _label(labels: pd.DataFrame, dimension: str, code: str, lang: str) -> str:
    hit = labels[(labels["dimension"] == dimension) & (labels["code"] == code) & (labels["lang"] == lang)]
    assert len(hit) == 1, f"{len(hit)} labels for {dimension} {code} {lang}"
    return hit["label"].iloc[0]


def _write_zip(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return path


# --------------------------------------------------------------------------- excerpt fixture


def test_excerpt_shape_and_constants(excerpt):
    obs = excerpt.observations
    assert list(obs.columns) == OBS_COLUMNS
    assert list(excerpt.labels.columns) == LABEL_COLUMNS
    # 10 rows in the excerpt, two pairs of which share a key (see fixtures/statbel/README.md).
    assert len(obs) == 8
    assert obs["value"].sum() == 80
    assert excerpt.format == "statbel-zip"
    assert excerpt.source == "statbel" and set(obs["source"]) == {"statbel"}
    assert excerpt.dataset == "tf_soc_pop_struct" and set(obs["dataset"]) == {"tf_soc_pop_struct"}
    assert set(obs["period"]) == {"2022"}
    assert obs[["obs_flag", "conf_flag", "upstream_updated"]].isna().all().all()
    assert excerpt.upstream_updated is None
    assert any("period 2022" in n and "file name" in n for n in excerpt.notes)


def test_excerpt_values_match_raw_lines(excerpt, excerpt_bytes):
    lines = excerpt_bytes.decode("cp1252").split("\r\n")
    header = lines[0].split("|")
    checked = 0
    for line in lines[1:]:
        if not line:
            continue
        row = dict(zip(header, line.split("|"), strict=True))
        if row["CD_AGE"] == "100":
            continue  # these share keys; test_age_100_rows_are_summed covers them
        assert _value(excerpt.observations, row["CD_REFNIS"], _key(row)) == float(row["MS_POPULATION"])
        checked += 1
    assert checked == 6


def test_age_100_rows_are_summed(excerpt):
    obs = excerpt.observations
    brussels = {"CD_AGE": "100", "CD_CIV_STS": "3", "CD_NATLTY": "ETR", "CD_SEX": "M"}
    liege = {"CD_AGE": "100", "CD_CIV_STS": "4", "CD_NATLTY": "BEL", "CD_SEX": "F"}
    assert _value(obs, "21004", _key(brussels)) == 2  # raw lines 63154 and 63217: 1 + 1
    assert _value(obs, "62063", _key(liege)) == 2  # raw lines 335340 and 335366: 1 + 1
    note = next(n for n in excerpt.notes if "summed" in n)
    assert "2 row(s)" in note and "CD_AGE=100" in note


def test_non_additive_measure_with_shared_keys_raises(tmp_path, excerpt_bytes):
    avg = excerpt_bytes.replace(b"MS_POPULATION", b"MS_AVG_AGE")
    with pytest.raises(ReaderError, match=r"MS_AVG_AGE'\] cannot be summed") as err:
        statbel.read(_write_zip(tmp_path / "TF_AVG_2022.zip", "TF_AVG_2022.txt", avg))
    assert "TF_AVG_2022.zip" in str(err.value)
    # Without the shared keys the same measure is read as is: the refusal is about summing.
    lines = avg.split(b"\r\n")
    unique = b"\r\n".join(line for line in lines if b"|100|" not in line)
    result = statbel.read(_write_zip(tmp_path / "TF_AVG_2022.zip", "TF_AVG_2022.txt", unique))
    assert len(result.observations) == 6
    assert result.observations["series_key"].str.endswith("|measure=ms_avg_age").all()


def test_cp1252_labels_round_trip(excerpt):
    labels = excerpt.labels
    assert _label(labels, "geo", "62063", "fr") == "Liège"
    assert _label(labels, "geo", "62063", "nl") == "Luik"
    assert _label(labels, "geo", "62093", "fr") == "Saint-Nicolas (Liège)"
    assert _label(labels, "geo", "55050", "fr") == "Ecaussinnes"
    assert _label(labels, "cd_dstr_refnis", "11000", "fr") == "Arrondissement d\u2019Anvers"  # 0x92
    assert _label(labels, "cd_rgn_refnis", "03000", "fr") == "Région wallonne"
    assert _label(labels, "cd_civ_sts", "1", "fr") == "Célibataire"
    assert _label(labels, "cd_natlty", "ETR", "nl") == "niet-Belgen"
    assert not labels.duplicated().any()
    assert (labels["label"] != "").all() and (labels["code"] != "").all()


def test_hierarchy_is_in_labels_not_in_series_key(excerpt):
    keys = excerpt.observations["series_key"]
    assert not keys.str.contains("refnis").any()
    assert set(keys.str.replace(r"=[^|]*", "", regex=True)) == {"cd_age|cd_civ_sts|cd_natlty|cd_sex|measure"}
    hierarchy = statbel.geo_hierarchy(excerpt.labels).set_index("geo")
    assert hierarchy.loc["62063"].to_dict() == {
        "cd_dstr_refnis": "62000",
        "cd_prov_refnis": "60000",
        "cd_rgn_refnis": "03000",
    }
    # Brussels municipalities belong to no province: the raw field is empty.
    assert hierarchy.loc["21004", "cd_dstr_refnis"] == "21000"
    assert pd.isna(hierarchy.loc["21004", "cd_prov_refnis"])
    assert hierarchy.loc["21004", "cd_rgn_refnis"] == "04000"


def test_dataset_argument_overrides_file_name(statbel_dir):
    result = statbel.read(statbel_dir / "TF_SOC_POP_STRUCT_2022.zip", dataset="population")
    assert result.dataset == "population"
    assert set(result.observations["dataset"]) == {"population"}
    assert set(result.labels["dataset"]) == {"population"}


def test_plain_txt_reads_like_the_zip(tmp_path, excerpt, excerpt_bytes):
    txt = tmp_path / EXCERPT_MEMBER
    txt.write_bytes(excerpt_bytes)
    result = statbel.read(txt)
    assert result.format == "statbel-txt"
    pd.testing.assert_frame_equal(result.observations, excerpt.observations)


def test_utf8_text_is_detected(tmp_path, excerpt_bytes):
    utf8 = excerpt_bytes.decode("cp1252").encode("utf-8")
    result = statbel.read(_write_zip(tmp_path / "TF_SOC_POP_STRUCT_2022.zip", EXCERPT_MEMBER, utf8))
    assert _label(result.labels, "geo", "62063", "fr") == "Liège"


def test_period_from_year_column(tmp_path):
    text = (
        "CD_YEAR|CD_REFNIS|TX_DESCR_FR|CD_SEX|MS_POPULATION\r\n"
        "2021|62063|Liège|F|10\r\n"
        "2022|62063|Liège|F|12\r\n"
    )
    path = tmp_path / "TF_POP_BY_YEAR.txt"
    path.write_bytes(text.encode("cp1252"))
    result = statbel.read(path)
    assert result.dataset == "tf_pop_by_year"
    obs = result.observations.set_index("period")
    assert obs.loc["2021", "value"] == 10 and obs.loc["2022", "value"] == 12
    assert set(obs["series_key"]) == {"cd_sex=F|measure=ms_population"}
    assert not any("file name" in n for n in result.notes)


def test_period_from_date_column_and_other_dates_left_out(tmp_path):
    text = b"CD_REFNIS|DT_REFDATE|DT_VLDT_STOP|MS_NUM_BIRTHS\r\n62063|01/07/2021|31/12/9999|4\r\n"
    path = tmp_path / "TF_BIRTHS.txt"
    path.write_bytes(text)
    result = statbel.read(path)
    assert result.observations["period"].tolist() == ["2021-07-01"]
    assert result.observations["series_key"].tolist() == ["measure=ms_num_births"]
    assert any("DT_VLDT_STOP" in n and "left out" in n for n in result.notes)


def test_coarser_geography_that_varies_within_geo_stays_a_dimension(tmp_path):
    # A municipality listed under two regions cannot have one parent: keep the column in the key.
    text = b"CD_REFNIS|CD_RGN_REFNIS|MS_POPULATION\r\n11001|02000|5\r\n11001|03000|4\r\n"
    path = tmp_path / "TF_ODD_2022.txt"
    path.write_bytes(text)
    result = statbel.read(path)
    assert sorted(result.observations["series_key"]) == [
        "cd_rgn_refnis=02000|measure=ms_population",
        "cd_rgn_refnis=03000|measure=ms_population",
    ]
    assert any("not a function of CD_REFNIS" in n for n in result.notes)
    assert not result.labels["dimension"].str.startswith("geo.").any()


def test_no_geography_column_gives_national_geo(tmp_path):
    path = tmp_path / "TF_NATIONAL_2022.txt"
    path.write_bytes(b"CD_SEX|MS_POPULATION\r\nF|5\r\nM|4\r\n")
    result = statbel.read(path)
    assert set(result.observations["geo"]) == {"BE"}
    assert any("no geography column" in n for n in result.notes)


def test_several_measures_give_one_series_each(tmp_path):
    path = tmp_path / "TF_TWO_2022.txt"
    path.write_bytes(b"CD_REFNIS|CD_SEX|MS_NUM_BIRTHS|MS_NUM_DEATHS\r\n11001|F|3|2\r\n")
    obs = statbel.read(path).observations.set_index("series_key")["value"]
    assert obs.to_dict() == {"cd_sex=F|measure=ms_num_births": 3.0, "cd_sex=F|measure=ms_num_deaths": 2.0}


def test_no_period_anywhere_raises(tmp_path):
    path = tmp_path / "TF_UNDATED.txt"
    path.write_bytes(b"CD_REFNIS|MS_POPULATION\r\n11001|5\r\n")
    with pytest.raises(ReaderError, match="no year/date column and no year in the file name"):
        statbel.read(path)


def test_empty_geo_raises(tmp_path):
    path = tmp_path / "TF_GAP_2022.txt"
    path.write_bytes(b"CD_REFNIS|CD_SEX|MS_POPULATION\r\n11001|F|5\r\n|M|4\r\n")
    with pytest.raises(ReaderError, match="1 row\\(s\\) with an empty CD_REFNIS"):
        statbel.read(path)


def test_non_numeric_measure_raises(tmp_path):
    path = tmp_path / "TF_TEXT_2022.txt"
    path.write_bytes(b"CD_REFNIS|MS_POPULATION\r\n11001|five\r\n")
    with pytest.raises(ReaderError, match="MS_POPULATION has non-numeric value 'five'"):
        statbel.read(path)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("no_text_member_2022.zip", "no .txt/.csv member"),
        ("not_pipe_2022.zip", "not a pipe-delimited header"),
        ("no_measure_2022.zip", "no MS_ measure column"),
        ("truncated_2022.zip", "not a readable zip"),
    ],
)
def test_broken_files_raise_reader_error(statbel_dir, name, problem):
    with pytest.raises(ReaderError) as err:
        statbel.read(statbel_dir / name)
    assert problem in err.value.problem
    assert err.value.path.endswith(name) and name in str(err.value)
    assert err.value.expected


def test_corrupt_member_data_raises(tmp_path, statbel_dir):
    data = bytearray((statbel_dir / "TF_SOC_POP_STRUCT_2022.zip").read_bytes())
    # The member's compressed bytes start after the 30-byte local header and its file name.
    start = 30 + len(EXCERPT_MEMBER)
    data[start + 40 : start + 60] = bytes(20)
    path = tmp_path / "TF_SOC_POP_STRUCT_2022.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ReaderError, match="cannot read the text"):
        statbel.read(path)


def test_unsupported_suffix_raises(tmp_path):
    path = tmp_path / "TF_SOC_POP_STRUCT_2022.json"
    path.write_text("{}")
    with pytest.raises(ReaderError, match="unsupported file type"):
        statbel.read(path)


def test_geo_reference_excerpt(statbel_dir):
    ref = statbel.read_geo_reference(statbel_dir / "TU_COM_NUTS_LAU-20190101.xlsx")
    assert list(ref.columns) == [
        "geo",
        "nuts_lau_code",
        "level",
        "parent",
        "name_nl",
        "name_fr",
        "name_de",
        "name_en",
        "valid_from",
        "valid_to",
    ]
    assert len(ref) == 9
    by_code = ref.set_index("nuts_lau_code")
    brussels = by_code.loc["BE1"]
    assert brussels["geo"] == "04000" and brussels["level"] == 1 and pd.isna(brussels["parent"])
    assert brussels["name_fr"] == "Région de Bruxelles-Capitale"
    assert brussels["name_de"] == "Region Brüssel-Hauptstadt"
    assert brussels["valid_to"] == "9999-12-31"  # stored as the bare serial 2958465
    assert pd.isna(by_code.loc["BE10", "geo"]) and pd.isna(by_code.loc["BE10", "name_nl"])  # "-", "NA"
    liege = by_code.loc["62063", ["geo", "parent", "name_nl", "name_fr"]]
    assert liege.tolist() == ["62063", "BE332", "Luik", "Liège"]
    ecaussinnes = ref[ref["geo"] == "55050"].sort_values("valid_from")
    assert ecaussinnes[["parent", "valid_from", "valid_to"]].values.tolist() == [
        ["BE325", "1900-01-01", "2019-01-01"],
        ["BE32C", "2019-01-01", "9999-12-31"],
    ]


def test_read_refuses_reference_table(statbel_dir):
    with pytest.raises(ReaderError, match="read_geo_reference") as err:
        statbel.read(statbel_dir / "TU_COM_NUTS_LAU-20190101.xlsx")
    assert "no MS_ measure column" in err.value.problem


def test_xlsx_with_measures_gives_observations(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CD_REFNIS", "TX_DESCR_FR", "CD_SEX", "MS_POPULATION"])
    sheet.append(["62063", "Liège", "F", 100])
    sheet.append(["55050", "Ecaussinnes", "M", 7.0])
    path = tmp_path / "TF_SMALL_2022.xlsx"
    book.save(path)
    result = statbel.read(path)
    assert result.format == "statbel-xlsx"
    assert _value(result.observations, "62063", "cd_sex=F|measure=ms_population") == 100
    assert _value(result.observations, "55050", "cd_sex=M|measure=ms_population") == 7
    assert _label(result.labels, "geo", "62063", "fr") == "Liège"


# --------------------------------------------------------------------------- real payloads


@pytest.fixture(scope="module")
def pop_zip(raw_dir: Path) -> Path:
    return raw_dir / "statbel" / "TF_SOC_POP_STRUCT_2022.zip"


@pytest.fixture(scope="module")
def raw_lines(pop_zip: Path) -> list[str]:
    """The real member decoded independently of the reader (no pandas)."""
    with zipfile.ZipFile(pop_zip) as archive:
        text = archive.read("TF_SOC_POP_STRUCT_2022.txt").decode("cp1252")
    lines = text.split("\r\n")
    assert lines[-1] == ""
    return lines[:-1]


@pytest.fixture(scope="module")
def timed_full(pop_zip: Path):
    start = time.perf_counter()
    result = statbel.read(pop_zip)
    return result, time.perf_counter() - start


@pytest.fixture(scope="module")
def full(timed_full):
    return timed_full[0]


def _raw_rows(raw_lines: list[str]):
    header = raw_lines[0].split("|")
    for line in raw_lines[1:]:
        yield dict(zip(header, line.split("|"), strict=True))


@pytest.mark.slow
def test_full_file_counts_and_total(full, raw_lines):
    rows = list(_raw_rows(raw_lines))
    assert len(rows) == 469_719
    keys = {tuple(r[k] for k in POP_KEY) for r in rows}
    assert len(full.observations) == len(keys) == 469_098
    assert full.observations["value"].sum() == sum(int(r["MS_POPULATION"]) for r in rows) == 11_584_008
    assert set(full.observations["period"]) == {"2022"}
    assert full.observations["geo"].nunique() == 581
    note = next(n for n in full.notes if "summed" in n)
    assert "621 row(s)" in note and "CD_AGE=100" in note


@pytest.mark.slow
def test_full_file_rows_match_raw_text(full, raw_lines):
    obs = full.observations
    rows = list(_raw_rows(raw_lines))
    for index in (0, 1, 100_000, 335_197, 400_000, len(rows) - 1):
        row = rows[index]
        assert row["CD_AGE"] != "100"  # one raw line, one observation
        assert _value(obs, row["CD_REFNIS"], _key(row)) == float(row["MS_POPULATION"]), index
    # A top-coded key: every raw line with it adds up into the one observation.
    wanted = ("21004", "F", "BEL", "3", "100")
    lines = [r for r in rows if tuple(r[k] for k in POP_KEY) == wanted]
    assert len(lines) == 5
    expected = sum(int(r["MS_POPULATION"]) for r in lines)
    assert _value(obs, "21004", _key(dict(zip(POP_KEY, wanted, strict=True)))) == expected


@pytest.mark.slow
def test_full_file_labels_decode_accents(full, raw_lines):
    liege = next(line for line in raw_lines if line.startswith("62063|")).split("|")
    assert liege[2] == "Liège"  # the raw bytes, cp1252-decoded: a check on the test itself
    assert _label(full.labels, "geo", "62063", "fr") == liege[2]
    assert _label(full.labels, "geo", "62063", "nl") == liege[1] == "Luik"
    assert _label(full.labels, "geo", "55050", "fr") == "Ecaussinnes"
    assert _label(full.labels, "cd_prov_refnis", "10000", "fr") == "Province d\u2019Anvers"
    geo_labels = full.labels[full.labels["dimension"] == "geo"]
    assert geo_labels.groupby("lang")["code"].nunique().to_dict() == {"fr": 581, "nl": 581}
    assert set(full.observations["geo"]) == set(geo_labels["code"])


@pytest.mark.slow
def test_real_geo_reference(raw_dir, full):
    ref = statbel.read_geo_reference(raw_dir / "statbel" / "TU_COM_NUTS_LAU-20190101.xlsx")
    assert len(ref) == 745
    assert ref["level"].value_counts().to_dict() == {4: 679, 3: 52, 2: 11, 1: 3}
    brussels = ref.set_index("nuts_lau_code").loc["BE1"]
    assert (brussels["geo"], brussels["name_en"]) == ("04000", "Brussels-Capital region")
    liege = ref[ref["geo"] == "62063"]
    assert liege[["parent", "name_fr", "name_nl"]].values.tolist() == [["BE332", "Liège", "Luik"]]
    # The municipalities valid on 2022-01-01 are exactly the population file's geo codes.
    valid = (ref["valid_from"] <= "2022-01-01") & (ref["valid_to"] > "2022-01-01")
    current = ref[(ref["level"] == 4) & valid]
    assert set(current["geo"]) == set(full.observations["geo"])


@pytest.mark.slow
def test_real_reference_table_is_refused_by_read(raw_dir):
    with pytest.raises(ReaderError, match="read_geo_reference"):
        statbel.read(raw_dir / "statbel" / "TU_COM_NUTS_LAU-20190101.xlsx")
