"""Eurostat TSV reader: excerpts and broken files (always), and every real payload (when ../shared exists).

Expected values are read off the raw text (quoted literally below) and counts are made with plain
string splitting, never with the reader under test.
"""

from __future__ import annotations

import gzip
import math
from functools import cache
from pathlib import Path

import pytest

from pipelines.readers import eurostat_tsv
from pipelines.readers.base import OBS_COLUMNS, ReaderError

EUROSTAT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eurostat"


# --- independent helpers: plain text splitting, no pandas, no reader code ---------------------------


def _lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8").splitlines()


@cache
def raw_cells(path: Path) -> dict[tuple[str, str], str]:
    """(raw key column, period) → raw cell text, exactly as in the file (padding included)."""
    lines = _lines(path)
    periods = [p.strip() for p in lines[0].split("\t")[1:]]
    out = {}
    for line in lines[1:]:
        key, *cells = line.split("\t")
        out.update({(key, p): c for p, c in zip(periods, cells, strict=True)})
    return out


def count_kept_cells(path: Path) -> int:
    """Cells that are not a bare `:` (a flag on a missing value keeps it)."""
    return sum(cell.strip() != ":" for cell in raw_cells(path).values())


def count_confidential_cells(path: Path) -> int:
    """`: c` (before 2025) and `... @C` (confidentiality status since 2025)."""
    return sum(cell.rstrip().endswith(("@C", ": c")) for cell in raw_cells(path).values())


@cache
def read(path: Path):
    return eurostat_tsv.read(path)


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


# --- unit tests on excerpts (always run) -------------------------------------------------------------


def test_current_format_excerpt():
    path = EUROSTAT_FIXTURES / "isoc_ci_in_h_excerpt.tsv"
    result = eurostat_tsv.read(path)
    assert result.format == "eurostat-tsv"
    assert result.source == "eurostat"
    assert list(result.observations.columns) == OBS_COLUMNS
    assert len(result.observations) == count_kept_cells(path) == 52
    key = "freq=A|hhtyp=A1|unit=PC_HH"
    assert raw_cells(path)[("A,PC_HH,A1,AL", "2018")] == "56.73 "
    assert_obs(obs_at(result, key, "AL", "2018"), 56.73)
    assert raw_cells(path)[("A,PC_HH,A1,AL", "2002")] == ": "
    assert obs_at(result, key, "AL", "2002") is None
    assert raw_cells(path)[("A,PC_HH,A1,IE", "2021")] == "93.14 b"
    assert_obs(obs_at(result, key, "IE", "2021"), 93.14, "b")
    assert raw_cells(path)[("A,PC_HH,A1,IE", "2022")] == ": u"
    assert_obs(obs_at(result, key, "IE", "2022"), None, "u")
    assert raw_cells(path)[("A,PC_HH,A1_DCH,CH", "2017")] == "100.00 bu"
    assert_obs(obs_at(result, "freq=A|hhtyp=A1_DCH|unit=PC_HH", "CH", "2017"), 100.0, "bu")
    assert result.observations.upstream_updated.isna().all()
    assert result.upstream_updated is None


def test_dataset_from_filename_and_explicit_argument_wins():
    path = EUROSTAT_FIXTURES / "isoc_ci_in_h_excerpt.tsv"
    assert eurostat_tsv.read(path).dataset == "isoc_ci_in_h_excerpt"
    result = eurostat_tsv.read(path, dataset="ISOC_CI_IN_H")
    assert result.dataset == "isoc_ci_in_h"
    assert set(result.observations.dataset) == {"isoc_ci_in_h"}


def test_gzipped_excerpt_with_confidentiality_status():
    path = EUROSTAT_FIXTURES / "isoc_ci_it_en2_excerpt.tsv.gz"
    result = eurostat_tsv.read(path)
    cells = raw_cells(path)
    assert len(result.observations) == count_kept_cells(path) == 23
    key_al = "freq=A|indic_is=E_FIXBB|nace_r2=C|size_emp=GE10|unit=PC_ENT"
    assert cells[("A,GE10,C,E_FIXBB,PC_ENT,AL", "2021")] == ": @C"
    assert_obs(obs_at(result, key_al, "AL", "2021"), None, None, "C")
    assert cells[("A,GE10,C,E_FIXBB,PC_ENT,AL", "2022")] == "91.61 "
    assert_obs(obs_at(result, key_al, "AL", "2022"), 91.61)
    assert cells[("A,GE10,C,E_FIXBB,PC_ENT,BE", "2017")] == ": u"
    assert_obs(obs_at(result, key_al, "BE", "2017"), None, "u")
    key_fr = "freq=A|indic_is=E_ISPDF1_GE100|nace_r2=C13-C15|size_emp=GE10|unit=PC_ENT"
    assert cells[("A,GE10,C13-C15,E_ISPDF1_GE100,PC_ENT,FR", "2020")] == "36.51 b"
    assert_obs(obs_at(result, key_fr, "FR", "2020"), 36.51, "b")
    assert cells[("A,GE10,C13-C15,E_ISPDF1_GE100,PC_ENT,FR", "2022")] == ": bu"
    assert_obs(obs_at(result, key_fr, "FR", "2022"), None, "bu")


def test_gzip_is_detected_from_content_not_name():
    gz_named_tsv = EUROSTAT_FIXTURES / "isoc_cisce_ra_excerpt_gzipped_without_gz_suffix.tsv"
    tsv_named_gz = EUROSTAT_FIXTURES / "isoc_cisce_ra_excerpt_plain_with_gz_suffix.tsv.gz"
    assert gz_named_tsv.read_bytes()[:2] == b"\x1f\x8b"
    assert tsv_named_gz.read_bytes()[:2] != b"\x1f\x8b"
    a = eurostat_tsv.read(gz_named_tsv, dataset="isoc_cisce_ra").observations
    b = eurostat_tsv.read(tsv_named_gz, dataset="isoc_cisce_ra").observations
    assert len(a) == count_kept_cells(gz_named_tsv) == 5
    assert a.equals(b)


def test_legacy_bulk_excerpt_gets_freq_a():
    path = EUROSTAT_FIXTURES / "sdg_13_10_legacy_bulk_excerpt.tsv"
    result = eurostat_tsv.read(path)
    cells = raw_cells(path)
    assert len(result.observations) == count_kept_cells(path) == 90
    assert any("freq=A" in note for note in result.notes)
    assert cells[("GHG,TOTX4_MEMONIA,I90,BE", "1990")] == "100.0 "
    assert_obs(obs_at(result, "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=I90", "BE", "1990"), 100.0)
    assert cells[("GHG,TOTX4_MEMONIA,I90,LI", "2019")] == ": "
    assert obs_at(result, "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=I90", "LI", "2019") is None
    assert cells[("GHG,TOTX4_MEMONIA,T_HAB,EU28", "2019")] == "8.2 bep"
    assert_obs(
        obs_at(result, "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=T_HAB", "EU28", "2019"), 8.2, "bep"
    )


def test_legacy_single_dimension_table():
    path = EUROSTAT_FIXTURES / "sdg_12_30_legacy_table_excerpt.tsv"
    result = eurostat_tsv.read(path)
    cells = raw_cells(path)
    assert set(result.observations.series_key) == {"freq=A"}
    assert len(result.observations) == count_kept_cells(path) == 55
    assert cells[("AT", "2000")] == "168 "
    assert_obs(obs_at(result, "freq=A", "AT", "2000"), 168.0)
    assert cells[("BE", "2019")] == "121.5 p"
    assert_obs(obs_at(result, "freq=A", "BE", "2019"), 121.5, "p")
    assert cells[("SK", "2000")] == ": "
    assert obs_at(result, "freq=A", "SK", "2000") is None


def test_legacy_lowercase_c_means_confidential():
    """Synthetic: one real sdg_13_10 row whose 2022 cell was replaced by the pre-2025 `: c`."""
    path = EUROSTAT_FIXTURES / "sdg_13_10_c_flag_synthetic.tsv"
    result = eurostat_tsv.read(path)
    assert raw_cells(path)[("A,GHG,TOTX4_MEMONIA,I90,AT", "2022")] == ": c"
    assert_obs(
        obs_at(result, "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=I90", "AT", "2022"), None, None, "C"
    )
    assert len(result.observations) == count_kept_cells(path) == 33


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("truncated.tsv.gz", "gzip"),
        ("missing_cell.tsv", "line 3 has 23 cells"),
        ("extra_cell.tsv", "line 2 has 25 cells"),
        ("header_without_time.tsv", "TIME_PERIOD"),
        ("empty.tsv", "empty"),
    ],
)
def test_broken_files_raise_reader_error_naming_the_file(name, fragment):
    path = EUROSTAT_FIXTURES / name
    with pytest.raises(ReaderError) as err:
        eurostat_tsv.read(path)
    assert name in str(err.value)
    assert fragment in str(err.value)


def test_unparseable_cell_names_line_and_period(tmp_path):
    """Synthetic: a real header and row with one cell overwritten by text that is no Eurostat cell."""
    lines = (EUROSTAT_FIXTURES / "isoc_ci_in_h_excerpt.tsv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("93.14 b", "n/a", 1)
    path = tmp_path / "bad_cell.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReaderError, match=r"bad_cell\.tsv: line 3, period 2021: cell 'n/a'"):
        eurostat_tsv.read(path)


# --- every real payload (skips without ../shared) ----------------------------------------------------

REAL_FILES = {
    # file → dataset code the reader must derive from the file name
    "estat_isoc_ci_in_h.tsv": "isoc_ci_in_h",
    "estat_sdg_13_10.tsv": "sdg_13_10",
    "sdg_13_10.legacy_bulk.tsv": "sdg_13_10",
    "sdg_12_30.legacy_table.tsv": "sdg_12_30",
    "estat_isoc_cicce_use.tsv.gz": "isoc_cicce_use",
    "estat_isoc_cisce_ra.tsv.gz": "isoc_cisce_ra",
    "estat_isoc_ci_it_en2.tsv.gz": "isoc_ci_it_en2",
}

# (file, raw key column, period, raw cell text, series_key, value or None, obs_flag, conf_flag);
# a value of "absent" means the cell is a bare `:` and must not be read.
REAL_CELLS = [
    (
        "estat_isoc_ci_in_h.tsv",
        "A,PC_HH,TOTAL,BE",
        "2024",
        "91.38 ",
        "freq=A|hhtyp=TOTAL|unit=PC_HH",
        91.38,
        None,
        None,
    ),
    ("estat_isoc_ci_in_h.tsv", "A,PC_HH,A1,IE", "2022", ": u", "freq=A|hhtyp=A1|unit=PC_HH", None, "u", None),
    (
        "estat_isoc_ci_in_h.tsv",
        "A,PC_HH,A1,AL",
        "2002",
        ": ",
        "freq=A|hhtyp=A1|unit=PC_HH",
        "absent",
        None,
        None,
    ),
    (
        "estat_isoc_ci_in_h.tsv",
        "A,PC_HH,A1_DCH,CH",
        "2017",
        "100.00 bu",
        "freq=A|hhtyp=A1_DCH|unit=PC_HH",
        100.0,
        "bu",
        None,
    ),
    (
        "estat_sdg_13_10.tsv",
        "A,GHG,TOTX4_MEMONIA,T_HAB,EU27_2020",
        "2019",
        "8.3 bep",
        "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=T_HAB",
        8.3,
        "bep",
        None,
    ),
    (
        "estat_sdg_13_10.tsv",
        "A,GHG,TOTX4_MEMONIA,I90,BE",
        "2022",
        "73.1 ",
        "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=I90",
        73.1,
        None,
        None,
    ),
    (
        "sdg_13_10.legacy_bulk.tsv",
        "GHG,TOTX4_MEMONIA,T_HAB,EU28",
        "2019",
        "8.2 bep",
        "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=T_HAB",
        8.2,
        "bep",
        None,
    ),
    (
        "sdg_13_10.legacy_bulk.tsv",
        "GHG,TOTX4_MEMONIA,I90,LI",
        "2020",
        ": ",
        "airpol=GHG|freq=A|src_crf=TOTX4_MEMONIA|unit=I90",
        "absent",
        None,
        None,
    ),
    ("sdg_12_30.legacy_table.tsv", "AT", "2019", "125.5 p", "freq=A", 125.5, "p", None),
    ("sdg_12_30.legacy_table.tsv", "AT", "2000", "168 ", "freq=A", 168.0, None, None),
    ("sdg_12_30.legacy_table.tsv", "SK", "2000", ": ", "freq=A", "absent", None, None),
    (
        "estat_isoc_cicce_use.tsv.gz",
        "A,10-249,C10-S951_X_K,E_CC_DA,PC_ENT,CZ",
        "2023",
        "13.72 d",
        "freq=A|indic_is=E_CC_DA|nace_r2=C10-S951_X_K|size_emp=10-249|unit=PC_ENT",
        13.72,
        "d",
        None,
    ),
    (
        "estat_isoc_cicce_use.tsv.gz",
        "A,10-249,C10-S951_X_K,E_CC1_BI,PC_ENT,MK",
        "2021",
        ": @C",
        "freq=A|indic_is=E_CC1_BI|nace_r2=C10-S951_X_K|size_emp=10-249|unit=PC_ENT",
        None,
        None,
        "C",
    ),
    (
        "estat_isoc_cisce_ra.tsv.gz",
        "A,10-249,C10-S951_X_K,E_SECMKSUD,PC_ENT,LU",
        "2019",
        ": @C",
        "freq=A|indic_is=E_SECMKSUD|nace_r2=C10-S951_X_K|size_emp=10-249|unit=PC_ENT",
        None,
        None,
        "C",
    ),
    (
        "estat_isoc_cisce_ra.tsv.gz",
        "A,0-9,C10-S951_X_K,E_ITSEC3,PC_ENT,FR",
        "2022",
        "37.46 b",
        "freq=A|indic_is=E_ITSEC3|nace_r2=C10-S951_X_K|size_emp=0-9|unit=PC_ENT",
        37.46,
        "b",
        None,
    ),
    (
        "estat_isoc_cisce_ra.tsv.gz",
        "A,0_1,C10-S951_X_K,E_ITSEC3,PC_ENT,DE",
        "2019",
        ": u",
        "freq=A|indic_is=E_ITSEC3|nace_r2=C10-S951_X_K|size_emp=0_1|unit=PC_ENT",
        None,
        "u",
        None,
    ),
    (
        "estat_isoc_ci_it_en2.tsv.gz",
        "A,GE10,C,E_FIXBB,PC_ENT,AL",
        "2021",
        ": @C",
        "freq=A|indic_is=E_FIXBB|nace_r2=C|size_emp=GE10|unit=PC_ENT",
        None,
        None,
        "C",
    ),
    (
        "estat_isoc_ci_it_en2.tsv.gz",
        "A,GE10,C,E_FIXBB,PC_ENT,AL",
        "2022",
        "91.61 ",
        "freq=A|indic_is=E_FIXBB|nace_r2=C|size_emp=GE10|unit=PC_ENT",
        91.61,
        None,
        None,
    ),
    (
        "estat_isoc_ci_it_en2.tsv.gz",
        "A,GE10,C,E_FIXBB,PC_ENT,AL",
        "2010",
        ": ",
        "freq=A|indic_is=E_FIXBB|nace_r2=C|size_emp=GE10|unit=PC_ENT",
        "absent",
        None,
        None,
    ),
    (
        "estat_isoc_ci_it_en2.tsv.gz",
        "A,GE10,C13-C15,E_ISPDF1_GE100,PC_ENT,FR",
        "2022",
        ": bu",
        "freq=A|indic_is=E_ISPDF1_GE100|nace_r2=C13-C15|size_emp=GE10|unit=PC_ENT",
        None,
        "bu",
        None,
    ),
    (
        "estat_isoc_ci_it_en2.tsv.gz",
        "A,GE10,C,E_FIXBB,PC_ENT,BE",
        "2017",
        ": u",
        "freq=A|indic_is=E_FIXBB|nace_r2=C|size_emp=GE10|unit=PC_ENT",
        None,
        "u",
        None,
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_file_count_dataset_and_date(raw_dir, name):
    path = raw_dir / "eurostat" / name
    result = read(path)
    assert result.dataset == REAL_FILES[name]
    assert len(result.observations) == count_kept_cells(path)
    assert result.upstream_updated is None
    assert result.observations.upstream_updated.isna().all()
    assert not result.observations.duplicated(["series_key", "geo", "period"]).any()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_file_confidential_cells(raw_dir, name):
    path = raw_dir / "eurostat" / name
    obs = read(path).observations
    assert int((obs.conf_flag == "C").sum()) == count_confidential_cells(path)
    assert obs.loc[obs.conf_flag == "C", "value"].isna().all()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "raw_key", "period", "raw_text", "series_key", "value", "obs_flag", "conf_flag"), REAL_CELLS
)
def test_real_file_cells_match_raw_text(
    raw_dir, name, raw_key, period, raw_text, series_key, value, obs_flag, conf_flag
):
    path = raw_dir / "eurostat" / name
    assert raw_cells(path)[(raw_key, period)] == raw_text
    row = obs_at(read(path), series_key, raw_key.rsplit(",", 1)[-1], period)
    if value == "absent":
        assert row is None
    else:
        assert_obs(row, value, obs_flag, conf_flag)


@pytest.mark.slow
def test_isoc_ci_it_en2_has_no_legacy_c_flag(raw_dir):
    """The 2025 file marks confidentiality as `: @C`; make sure no `: c` hides elsewhere in it."""
    path = raw_dir / "eurostat" / "estat_isoc_ci_it_en2.tsv.gz"
    cells = raw_cells(path).values()
    assert sum(c.strip() == ": c" for c in cells) == 0
    assert sum(c.strip() == ": @C" for c in cells) == 9165


@pytest.mark.slow
def test_sdg_13_10_current_and_legacy_give_the_same_keys(raw_dir):
    current_path = raw_dir / "eurostat" / "estat_sdg_13_10.tsv"
    legacy_path = raw_dir / "eurostat" / "sdg_13_10.legacy_bulk.tsv"
    current, legacy = read(current_path).observations, read(legacy_path).observations
    periods = set(current.period) & set(legacy.period)
    geos = set(current.geo) & set(legacy.geo)
    key = ["series_key", "geo", "period"]

    def overlap(df):
        return df[df.period.isin(periods) & df.geo.isin(geos)].set_index(key).sort_index()

    cur, leg = overlap(current), overlap(legacy)
    assert len(cur) == 3844  # 4 series x 31 geos x 31 years (1990-2020), counted in the raw files
    assert cur.index.equals(leg.index)
    # Different vintages: 2978 of the 3844 overlapping cells were revised (raw texts differ), so values
    # are compared only where both raw files carry the same text.
    cur_raw, leg_raw = raw_cells(current_path), raw_cells(legacy_path)
    same = [
        (sk, geo, per)
        for sk, geo, per in cur.index
        if cur_raw[(_current_raw_key(sk, geo), per)].strip()
        == leg_raw[(_legacy_raw_key(sk, geo), per)].strip()
    ]
    assert len(same) == 866
    pd_same = cur.loc[same].fillna({"obs_flag": "", "conf_flag": ""})
    pd_leg = leg.loc[same].fillna({"obs_flag": "", "conf_flag": ""})
    assert (pd_same.value == pd_leg.value).all()
    assert (pd_same.obs_flag == pd_leg.obs_flag).all()


def _current_raw_key(series_key: str, geo: str) -> str:
    dims = dict(pair.split("=") for pair in series_key.split("|"))
    return ",".join([dims["freq"], dims["airpol"], dims["src_crf"], dims["unit"], geo])


def _legacy_raw_key(series_key: str, geo: str) -> str:
    dims = dict(pair.split("=") for pair in series_key.split("|"))
    return ",".join([dims["airpol"], dims["src_crf"], dims["unit"], geo])
