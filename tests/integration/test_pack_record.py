"""`aiplan export briefing` writes a record of its build and data beside the pack; `--from-record` makes the
same pack again from it, and refuses, naming the file and the key, a record of another build or a bad one."""

from __future__ import annotations

import json

import pytest
from docx import Document

from aiplan.cli import main
from pipelines import reports, warehouse


@pytest.fixture
def wh(fixture_warehouse, monkeypatch):
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(fixture_warehouse))
    return fixture_warehouse


def _text(path) -> list[str]:
    doc = Document(str(path))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


def test_a_pack_is_made_again_from_its_record(wh, tmp_path, capsys):
    first = tmp_path / "pack.docx"
    args = ["export", "briefing", "--format", "docx", "--lang", "fr", "--since", "2020-01-01"]
    assert main([*args, "--out", str(first)]) == 0
    record = json.loads((tmp_path / "pack.docx.record.json").read_text())
    con = warehouse.connect_read_only(wh)
    try:
        identity = reports.build_identity(con)
    finally:
        con.close()
    assert record["build_id"] == identity["build_id"] and identity["build_id"]
    assert (record["geo"], record["lang"], record["format"], record["since"]) == (
        "BE",
        "fr",
        "docx",
        "2020-01-01",
    )
    again = tmp_path / "again.docx"
    assert main(["export", "briefing", "--from-record", str(tmp_path / "pack.docx.record.json"),
                 "--out", str(again)]) == 0  # fmt: skip
    assert _text(again) == _text(first)
    # the first page after the cover is "since the last meeting", in the reader's language
    headings = [p.text for p in Document(str(first)).paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Depuis la dernière réunion"


def test_a_record_of_another_build_or_a_bad_one_is_refused_by_name(wh, tmp_path, capsys):
    first = tmp_path / "pack.docx"
    assert main(["export", "briefing", "--format", "docx", "--out", str(first)]) == 0
    path = tmp_path / "pack.docx.record.json"
    record = json.loads(path.read_text())
    other = tmp_path / "other.record.json"
    other.write_text(json.dumps({**record, "build_id": "20200101T000000-00000000"}))
    capsys.readouterr()
    assert main(["export", "briefing", "--from-record", str(other), "--out", str(tmp_path / "x.docx")]) == 2
    message = capsys.readouterr().err.replace("\n", "")
    assert str(other) in message and "build_id" in message
    bad = tmp_path / "bad.record.json"
    bad.write_text(json.dumps({**record, "sinse": "2020-01-01"}))
    assert main(["export", "briefing", "--from-record", str(bad)]) == 2
    message = capsys.readouterr().err.replace("\n", "")
    assert str(bad) in message and "sinse" in message and "unknown key" in message
    assert not (tmp_path / "x.docx").exists()
