"""PROVENANCE.md tables → where each upstream file was found."""

from __future__ import annotations

from pathlib import Path

from pipelines.provenance import found_in

DOC = """# Payloads

| File | Dataset | Upstream format | Found in (repo : path @ commit) | Size |
|---|---|---|---|---|
| `a.csv` | a | header `A|B|C` with pipes | owner/repo : data/a.csv @ 1234abcd | 10 B |
| `b.csv` | b | csv | same repo : data/b.csv @ 1234abcd | 12 B |

Text between tables.

| File | What it is | Found in | Coverage |
|---|---|---|---|
| `c.xls` | c | other/place : `c file.xls` @ 99 (2024-09-13) | 2017–2024 |
"""


def test_found_in_reads_every_table_and_resolves_same_repo(tmp_path: Path):
    (tmp_path / "PROVENANCE.md").write_text(DOC, encoding="utf-8")
    sub = tmp_path / "eurostat"
    sub.mkdir()
    for name in ("a.csv", "b.csv", "c.xls", "d.csv"):
        (sub / name).write_text("x")
    assert (
        found_in(sub / "a.csv") == "owner/repo : data/a.csv @ 1234abcd"
    )  # a pipe in backticks does not split
    assert found_in(sub / "b.csv") == "owner/repo : data/b.csv @ 1234abcd"
    assert found_in(sub / "c.xls") == "other/place : c file.xls @ 99 (2024-09-13)"
    assert found_in(sub / "d.csv") is None  # not listed: nothing invented


def test_no_provenance_document_means_unknown(tmp_path: Path):
    f = tmp_path / "x.csv"
    f.write_text("x")
    assert found_in(f, levels=0) is None
