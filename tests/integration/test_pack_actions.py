"""The briefing pack's objective sections carry the plan's action lines (indicators/actions.yaml): counts by
status in the PDF, PPTX and DOCX, and the lines with a known status, dated, in the PDF and DOCX."""

from __future__ import annotations

import io

import pytest
import yaml
from docx import Document
from pptx import Presentation

from indicators.actions import ACTIONS_FILE
from pipelines.warehouse import connect_read_only
from presentation import briefing, pack_content, pack_docx, pack_pptx
from tests.telltales import telltales

RAW = yaml.safe_load(ACTIONS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def packs(fixture_warehouse):
    con = connect_read_only(fixture_warehouse)
    try:
        return {lang: pack_content.build(con, geo="BE", lang=lang) for lang in ("fr", "nl")}
    finally:
        con.close()


def test_each_objective_section_counts_its_lines_and_lists_the_known_ones(packs):
    pack = packs["fr"]
    for obj in pack.objectives:
        mine = [e for e in RAW if e["id"].split(".")[0] == str(obj.number)]
        known = [e for e in mine if e.get("status", "unknown") != "unknown"]
        assert obj.actions is not None
        if mine:
            assert obj.actions.counts.startswith(f"{len(mine)} axe")
        else:
            assert "Aucun axe d'action" in obj.actions.counts
        assert [line.split(" ", 1)[0] for line in obj.actions.known] == [e["id"] for e in known]
    one = next(o for o in pack.objectives if o.number == 1)
    assert any(
        line.startswith("1.d ") and "réalisé" in line and "8 mai 2024" in line for line in one.actions.known
    )


def test_the_three_files_show_them(packs):
    pack = packs["nl"]
    one = next(o for o in pack.objectives if o.number == 1)
    html, _ = briefing.render_html(pack, inline_plotly=False)
    assert one.actions.counts in html and all(
        line.replace("'", "&#39;") in html for line in one.actions.known
    )
    docx = "\n".join(p.text for p in Document(io.BytesIO(pack_docx.docx_bytes(pack, {}))).paragraphs)
    assert one.actions.counts in docx and all(line in docx for line in one.actions.known)
    prs = Presentation(io.BytesIO(pack_pptx.pptx_bytes(pack, {})))
    slides = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]
    assert any(one.heading in s and one.actions.counts in s for s in slides)
    for obj in pack.objectives:
        words = " ".join([obj.actions.heading, obj.actions.counts, *obj.actions.known])
        assert telltales(words, "nl") == [], words


def test_the_since_page_lists_the_lines_whose_status_evidence_is_dated_since_the_day(fixture_warehouse):
    from datetime import date

    day = date(2024, 5, 1)
    expected = sorted(
        e["id"] for e in RAW if e.get("status_date") and date.fromisoformat(str(e["status_date"])) >= day
    )
    assert expected, "the register has no status dated after the day: pick another day"
    con = connect_read_only(fixture_warehouse)
    try:
        pack = pack_content.build(con, geo="BE", lang="nl", since=day)
    finally:
        con.close()
    assert sorted(row[0].split(" ", 1)[0] for row in pack.since.action_lines) == expected
    assert "actielijnen" in pack.since.action_heading.lower()
    assert all(row[2] and not telltales(" ".join(row), "nl") for row in pack.since.action_lines)
