"""Code lists in pipelines/codelists/: well-formed, evidenced, consistent, and covering the codes we show.

The English input files are `dimension,code,label,evidence`. A (dimension, code) found in more than one
file must carry the same label everywhere; the codes of the ICT-security, cloud and renewables headline
series, taken from the committed snapshot, must have a label in every language. labels.csv (every language)
is checked in test_labels_file.py.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from indicators.vocabulary import LANGS

ROOT = Path(__file__).resolve().parents[2]
CODELISTS = ROOT / "pipelines" / "codelists"
SNAPSHOT = ROOT / "data" / "snapshot" / "eurostat"
HEADER = ["dimension", "code", "label", "evidence"]
EXTRA = CODELISTS / "eurostat_labels_extra.csv"
# evidence of hand-confirmed rows: `owner/repo:path` of the public file that shows code and label
EVIDENCE = re.compile(r"^[\w.-]+/[\w.-]+:\S.*$")

# (dataset, dimension, code): headline codes that arrive as TSV (codes only) and must still get a label
REQUIRED = [
    ("isoc_cisce_ra", "indic_is", "E_SECPOL2"),
    ("isoc_cisce_ra", "indic_is", "E_SECAWANY"),
    ("isoc_cicce_use", "indic_is", "E_CC"),
    ("nrg_ind_ren", "nrg_bal", "REN"),
]


# The English `dimension,code,label,evidence` files; labels.csv, publisher_eurostat.csv and
# translations_ours.csv carry a language column and are checked in test_labels_file.py.
MULTILINGUAL = {"labels.csv", "publisher_eurostat.csv", "translations_ours.csv"}


def _csv_files(folder: Path = CODELISTS) -> list[Path]:
    return sorted(p for p in folder.glob("*.csv") if p.name not in MULTILINGUAL)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def format_problems(path: Path) -> list[str]:
    """Header and empty-cell problems of one code-list file (empty list: the file is fine)."""
    header, rows = read_rows(path)
    if header != HEADER:
        return [f"{path.name}: header {header} != {HEADER}"]
    problems = []
    for n, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{path.name}:{n}: wrong number of fields")
            continue
        for col in HEADER:
            if not row[col].strip():
                problems.append(f"{path.name}:{n}: empty {col}")
    return problems


def cross_file_conflicts(paths: list[Path]) -> list[str]:
    """(dimension, code) pairs present in several files with different labels."""
    seen: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in paths:
        for row in read_rows(path)[1]:
            seen[(row["dimension"], row["code"])][path.name].add(row["label"])
    conflicts = []
    for key, by_file in sorted(seen.items()):
        labels = set().union(*by_file.values())
        if len(by_file) > 1 and len(labels) > 1:
            detail = "; ".join(f"{name}: {sorted(ls)}" for name, ls in sorted(by_file.items()))
            conflicts.append(f"{key[0]}={key[1]} -> {detail}")
    return conflicts


def all_labels(paths: list[Path]) -> dict[tuple[str, str], set[str]]:
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in paths:
        for row in read_rows(path)[1]:
            if row.get("lang", "en") == "en":
                labels[(row["dimension"], row["code"])].add(row["label"])
    return labels


def snapshot_codes(dataset: str) -> set[tuple[str, str]]:
    """(dimension, code) pairs of one Eurostat dataset in the committed snapshot (series keys and geo)."""
    path = SNAPSHOT / f"{dataset}.parquet"
    con = duckdb.connect(config={"autoinstall_known_extensions": "false"})
    try:
        rows = con.execute(
            """
            WITH s AS (SELECT DISTINCT series_key, geo FROM read_parquet(?))
            SELECT DISTINCT split_part(kv, '=', 1), split_part(kv, '=', 2)
              FROM s, unnest(string_split(series_key, '|')) AS t(kv)
            UNION SELECT DISTINCT 'geo', geo FROM s
            """,
            [str(path)],
        ).fetchall()
    finally:
        con.close()
    return {(dim, code) for dim, code in rows}


# --- the committed code lists ---------------------------------------------------------------------------


def test_codelist_folder_has_the_extra_file():
    assert EXTRA in _csv_files(), f"{EXTRA.name} missing from {CODELISTS}"


@pytest.mark.parametrize("path", _csv_files(), ids=lambda p: p.name)
def test_header_and_no_empty_cells(path):
    assert format_problems(path) == []


def test_same_code_same_label_across_files():
    assert cross_file_conflicts(_csv_files()) == []


def test_extra_file_is_sorted_unique_and_evidenced():
    _, rows = read_rows(EXTRA)
    keys = [(r["dimension"], r["code"]) for r in rows]
    assert keys == sorted(keys), "rows must be sorted by dimension, code"
    assert len(keys) == len(set(keys)), "a (dimension, code) pair appears twice"
    bad = [r["evidence"] for r in rows if not EVIDENCE.match(r["evidence"])]
    assert bad == [], f"evidence must be owner/repo:path, got {bad}"
    padded = [r["code"] for r in rows if r["label"] != r["label"].strip()]
    assert padded == [], f"labels with leading/trailing blanks: {padded}"


@pytest.mark.parametrize(("dataset", "dimension", "code"), REQUIRED, ids=lambda v: str(v))
def test_headline_codes_in_snapshot_have_a_label(dataset, dimension, code):
    assert (dimension, code) in snapshot_codes(dataset), f"{dimension}={code} not in snapshot {dataset}"
    with (CODELISTS / "labels.csv").open(encoding="utf-8", newline="") as fh:
        langs = {
            r["lang"]
            for r in csv.DictReader(fh)
            if (r["source"], r["dimension"], r["code"]) == ("eurostat", dimension, code)
        }
    missing = (set(LANGS) | {"de"}) - langs
    assert not missing, f"no label for {dimension}={code} ({dataset}) in {sorted(missing)}"


def test_ict_security_labels_are_the_eurostat_ones():
    # Eurostat's own INDIC_IS code list now gives these (the hand-typed copies left the extra file).
    labels = all_labels([CODELISTS / "eurostat_labels.csv", CODELISTS / "publisher_eurostat.csv", EXTRA])
    assert labels[("indic_is", "E_SECPOL2")] == {
        "Enterprises have document(s) on measures, practices or procedures on ICT security"
    }
    assert labels[("indic_is", "E_SECAWANY")] == {
        "Enterprises make persons employed aware of their obligations in ICT security related issues"
    }
    assert labels[("indic_is", "E_CC")] == {"Buy cloud computing services used over the internet"}
    assert labels[("nrg_bal", "REN")] == {"Renewable energy sources"}


# --- the checks themselves catch bad files --------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_checker_flags_wrong_header(tmp_path):
    f = _write(tmp_path / "a.csv", "dim,code,label,evidence\nunit,PC,Percentage,x/y:z\n")
    assert format_problems(f) and "header" in format_problems(f)[0]


def test_checker_flags_empty_label_and_evidence(tmp_path):
    f = _write(tmp_path / "a.csv", "dimension,code,label,evidence\nunit,PC,,x/y:z\nunit,I90,Index,\n")
    assert format_problems(f) == ["a.csv:2: empty label", "a.csv:3: empty evidence"]


def test_checker_flags_conflicting_labels_across_files(tmp_path):
    a = _write(tmp_path / "a.csv", "dimension,code,label,evidence\nunit,PC,Percentage,x/y:z\n")
    b = _write(tmp_path / "b.csv", "dimension,code,label,evidence\nunit,PC,Per cent,x/y:z\n")
    c = _write(tmp_path / "c.csv", "dimension,code,label,evidence\nunit,PC,Percentage,x/y:w\n")
    assert len(cross_file_conflicts([a, b])) == 1
    assert cross_file_conflicts([a, c]) == []
