"""JSON-stat reader: index decoding on a hand-made cube, then cells of the real Eurostat payloads."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pandas as pd
import pytest

from pipelines.readers import jsonstat
from pipelines.readers.base import OBS_COLUMNS, ReaderError

# ---------------------------------------------------------------- tiny synthetic cube

# (unit, geo, time) → (value, obs_flag, conf_flag), worked out by hand from tiny.jsonstat.json:
# flat = (unit_pos * 3 + geo_pos) * 2 + time_pos with geo positions XX=0, ZZ=1, YY=2.
TINY_EXPECTED = {
    ("PC", "XX", "2001"): (1.5, None, None),  # cell 0
    ("PC", "XX", "2002"): (2.5, "b", None),  # cell 1
    ("PC", "YY", "2002"): (3.5, None, None),  # cell 5
    ("NR", "XX", "2001"): (math.nan, None, "C"),  # cell 6: "|C", no value
    ("NR", "ZZ", "2002"): (9.25, "p", None),  # cell 9
    ("NR", "YY", "2001"): (math.nan, None, "C"),  # cell 10: legacy "c", no value
}


@pytest.fixture
def tiny(fixtures_dir: Path) -> Path:
    return fixtures_dir / "jsonstat" / "tiny.jsonstat.json"


def _as_dict(obs: pd.DataFrame) -> dict:
    out = {}
    for row in obs.itertuples(index=False):
        unit = dict(p.split("=") for p in row.series_key.split("|"))["unit"]
        out[(unit, row.geo, row.period)] = (row.value, row.obs_flag, row.conf_flag)
    return out


def _same(a: tuple, b: tuple) -> bool:
    va, vb = a[0], b[0]
    same_value = (math.isnan(va) and math.isnan(vb)) or va == vb
    norm = [None if (x is None or (isinstance(x, float) and math.isnan(x))) else x for x in (*a[1:], *b[1:])]
    return same_value and norm[:2] == norm[2:]


def test_tiny_cube_decodes_every_cell(tiny: Path) -> None:
    result = jsonstat.read(tiny)
    got = _as_dict(result.observations)
    assert set(got) == set(TINY_EXPECTED)
    for key, expected in TINY_EXPECTED.items():
        assert _same(got[key], expected), (key, got[key], expected)


def test_tiny_cube_metadata(tiny: Path) -> None:
    result = jsonstat.read(tiny)
    obs = result.observations
    assert list(obs.columns) == OBS_COLUMNS
    assert result.format == "jsonstat-2.0"
    assert result.dataset == "tiny_test"
    assert set(obs["dataset"]) == {"tiny_test"} and set(obs["source"]) == {"eurostat"}
    assert result.upstream_updated == "2024-01-15T23:00:00+01:00"
    assert set(obs["upstream_updated"]) == {"2024-01-15T23:00:00+01:00"}
    assert result.title == "Tiny synthetic cube for reader tests"
    # series_key: every non-geo, non-time dimension, sorted, codes not labels, freq included
    assert set(obs["series_key"]) == {"freq=A|unit=PC", "freq=A|unit=NR"}


def test_tiny_cube_labels(tiny: Path) -> None:
    labels = jsonstat.read(tiny).labels
    pairs = set(zip(labels["dimension"], labels["code"], labels["label"], strict=True))
    assert ("geo", "ZZ", "Zedland") in pairs and ("unit", "NR", "Number") in pairs
    assert set(labels["lang"]) == {"en"}
    assert len(labels) == 1 + 2 + 3 + 2


def test_dense_value_and_status_arrays_decode_the_same(tiny: Path, tmp_path: Path) -> None:
    doc = json.loads(tiny.read_text())
    n = 12
    doc["value"] = [doc["value"].get(str(i)) for i in range(n)]
    doc["status"] = [doc["status"].get(str(i)) for i in range(n)]
    dense = tmp_path / "dense.json"
    dense.write_text(json.dumps(doc))
    got = _as_dict(jsonstat.read(dense).observations)
    assert set(got) == set(TINY_EXPECTED)
    assert all(_same(got[k], v) for k, v in TINY_EXPECTED.items())


def test_list_index_order_matters(tiny: Path, tmp_path: Path) -> None:
    doc = json.loads(tiny.read_text())
    doc["dimension"]["unit"]["category"]["index"] = ["NR", "PC"]  # swap: cell 0 is now NR
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps(doc))
    got = _as_dict(jsonstat.read(swapped).observations)
    assert got[("NR", "XX", "2001")][0] == 1.5
    assert got[("PC", "ZZ", "2002")][:2] == (9.25, "p")


def test_dataset_argument_overrides_and_is_noted(tiny: Path) -> None:
    result = jsonstat.read(tiny, dataset="Other_Code")
    assert result.dataset == "other_code"
    assert any("TINY_TEST" in n for n in result.notes)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"version": "2.0", "class": "dataset", "value": {"0": 1}}', "not a JSON-stat dataset"),
        ('{"id": ["geo"], "size": [1], "dimension": {"geo": {', "not valid JSON"),
        ("[1, 2, 3]", "not an object"),
        ('{"class": "collection", "link": {"item": []}}', "collection"),
    ],
)
def test_not_jsonstat_raises_naming_the_file(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "bad_payload.json"
    bad.write_text(content)
    with pytest.raises(ReaderError) as err:
        jsonstat.read(bad)
    assert "bad_payload.json" in str(err.value)
    assert problem in str(err.value)


def test_truncated_real_file_raises(tiny: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.jsonstat.json"
    cut.write_bytes(tiny.read_bytes()[:-40])
    with pytest.raises(ReaderError, match="cut.jsonstat.json.*not valid JSON"):
        jsonstat.read(cut)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d["size"].__setitem__(2, 4), "has 3 categories but size says 4"),
        (lambda d: d["value"].__setitem__("12", 1.0), "beyond the 12 cells"),
        (lambda d: d["value"].__setitem__("x", 1.0), "not a cell number"),
        (lambda d: d["dimension"]["geo"]["category"]["index"].__setitem__("QQ", 7), "out of range"),
        (
            lambda d: (d["id"].__setitem__(2, "country"), d["dimension"].__setitem__("country", {})),
            "no category",
        ),
    ],
)
def test_inconsistent_cube_raises(tiny: Path, tmp_path: Path, mutate, problem: str) -> None:
    doc = json.loads(tiny.read_text())
    mutate(doc)
    bad = tmp_path / "inconsistent.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ReaderError) as err:
        jsonstat.read(bad)
    assert "inconsistent.json" in str(err.value) and problem in str(err.value)


def test_cube_without_geo_raises(tiny: Path, tmp_path: Path) -> None:
    doc = json.loads(tiny.read_text())
    doc["id"][2] = "region"
    doc["dimension"]["region"] = doc["dimension"].pop("geo")
    bad = tmp_path / "nogeo.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ReaderError, match="no time and geo dimension"):
        jsonstat.read(bad)


# ---------------------------------------------------------------- real Eurostat payloads

REAL = {
    "isoc_eb_ai": "isoc_eb_ai_2025.jsonstat.json",
    "isoc_eb_ain2": "isoc_eb_ain2_2025.jsonstat.json",
    "isoc_eb_das": "isoc_eb_das_2025.jsonstat.json",
}


def _raw(raw_dir: Path, name: str) -> dict:
    return json.loads((raw_dir / "eurostat" / REAL[name]).read_text(encoding="utf-8"))


def _decode(doc: dict, flat: int) -> dict[str, str]:
    """Flat index → {dimension: code}, by hand: last dimension varies fastest."""
    out = {}
    for dim, size in reversed(list(zip(doc["id"], doc["size"], strict=True))):
        flat, pos = divmod(flat, size)
        index = doc["dimension"][dim]["category"]["index"]
        out[dim] = index[pos] if isinstance(index, list) else {v: k for k, v in index.items()}[pos]
    return out


def _row(obs: pd.DataFrame, dims: dict[str, str]) -> pd.Series:
    key = "|".join(f"{d}={dims[d]}" for d in sorted(dims) if d not in ("geo", "time"))
    hit = obs[(obs["series_key"] == key) & (obs["geo"] == dims["geo"]) & (obs["period"] == dims["time"])]
    assert len(hit) == 1, (dims, len(hit))
    return hit.iloc[0]


def _expected_count(doc: dict) -> int:
    cells = {k for k, v in doc["value"].items() if v is not None}
    cells |= {k for k, v in doc.get("status", {}).items() if v}
    return len(cells)


@pytest.fixture(scope="module")
def real_results(raw_dir: Path) -> dict:
    return {name: jsonstat.read(raw_dir / "eurostat" / file) for name, file in REAL.items()}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_counts_code_and_update(raw_dir: Path, real_results: dict, name: str) -> None:
    doc = _raw(raw_dir, name)
    result = real_results[name]
    assert result.dataset == name == doc["extension"]["id"].lower()
    assert len(result.observations) == _expected_count(doc)
    assert result.upstream_updated == "2026-02-27T11:00:00+01:00"
    assert result.title == doc["label"]
    assert len(result.labels) == sum(len(doc["dimension"][d]["category"]["label"]) for d in doc["id"])


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_random_cells_match_manual_decoding(raw_dir: Path, real_results: dict, name: str) -> None:
    doc = _raw(raw_dir, name)
    obs = real_results[name].observations
    keys = sorted(doc["value"], key=int)
    for flat in random.Random(20260227).sample(keys, 25):
        row = _row(obs, _decode(doc, int(flat)))
        assert row["value"] == pytest.approx(doc["value"][flat])


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_flag_counts_match_raw_status(raw_dir: Path, real_results: dict, name: str) -> None:
    doc = _raw(raw_dir, name)
    obs = real_results[name].observations
    raw = pd.Series(list(doc["status"].values()))
    assert int((obs["conf_flag"] == "C").sum()) == int((raw == "|C").sum())
    for letter in ("b", "u", "d", "bu"):
        assert int((obs["obs_flag"] == letter).sum()) == int((raw == letter).sum()), letter


def test_real_isoc_eb_ai_known_values(real_results: dict) -> None:
    obs = real_results["isoc_eb_ai"].observations
    base = {
        "freq": "A",
        "size_emp": "GE10",
        "nace_r2": "C10-S951_X_K",
        "indic_is": "E_AI_TANY",
        "unit": "PC_ENT",
    }
    be = _row(obs, base | {"geo": "BE", "time": "2025"})
    eu = _row(obs, base | {"geo": "EU27_2020", "time": "2025"})
    nl = _row(obs, base | {"geo": "NL", "time": "2025"})
    assert be["value"] == 34.54 and pd.isna(be["obs_flag"])
    assert eu["value"] == 19.95
    assert nl["value"] == 33.21 and nl["obs_flag"] == "b"


def test_real_isoc_eb_das_known_value(real_results: dict) -> None:
    obs = real_results["isoc_eb_das"].observations
    dims = {
        "freq": "A",
        "size_emp": "GE10",
        "nace_r2": "C10-S951_X_K",
        "indic_is": "E_DAOWN",
        "unit": "PC_ENT",
    }
    assert _row(obs, dims | {"geo": "BE", "time": "2025"})["value"] == 44.31


@pytest.mark.parametrize("name", ["isoc_eb_ai", "isoc_eb_ain2"])
def test_real_confidential_cell(raw_dir: Path, real_results: dict, name: str) -> None:
    doc = _raw(raw_dir, name)
    flat = min((k for k, s in doc["status"].items() if s == "|C" and k not in doc["value"]), key=int)
    row = _row(real_results[name].observations, _decode(doc, int(flat)))
    assert row["conf_flag"] == "C" and pd.isna(row["obs_flag"]) and math.isnan(row["value"])


def test_real_flag_without_value_kept(raw_dir: Path, real_results: dict) -> None:
    doc = _raw(raw_dir, "isoc_eb_ai")
    flat = min((k for k, s in doc["status"].items() if s == "u" and k not in doc["value"]), key=int)
    row = _row(real_results["isoc_eb_ai"].observations, _decode(doc, int(flat)))
    assert row["obs_flag"] == "u" and math.isnan(row["value"])
