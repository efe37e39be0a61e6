"""The pack's legibility check itself → it finds each fault in a page made to have it."""

import shutil

import pytest

from presentation.briefing import render_pdf
from tests import pack_legibility as legibility

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")

GOOD = "<p style='font-size:10pt'>A readable sentence of normal size, with 34,5 % written the French way.</p>"
FAULTS = {
    "small": "<p style='font-size:5pt'>Tiny print nobody can read at arm's length.</p>",
    "overlap": "<div style='position:relative;height:40px'><span style='position:absolute;left:0;top:0'>"
    "Overprinted</span><span style='position:absolute;left:2px;top:1px'>Overprinted</span></div>",
    "decimal_point": "<p>Un taux de 34.5 % écrit à l'anglaise.</p>",
}


def _pdf(body: str) -> bytes:
    doc = f"<!doctype html><html><body>{GOOD}{body}<script>window.chartsDone = true;</script></body></html>"
    return render_pdf(doc, lang="fr")


def test_a_clean_page_has_no_problem():
    assert legibility.problems(_pdf(""), lang="fr") == []


@pytest.mark.parametrize("kind", list(FAULTS))
def test_each_fault_is_found(kind):
    found = {p.kind for p in legibility.problems(_pdf(FAULTS[kind]), lang="fr")}
    assert kind in found


def test_a_blank_page_is_found():
    body = ("<div style='page-break-before:always;height:20mm'></div>"
            "<div style='page-break-before:always'>Back again, with a sentence.</div>")  # fmt: skip
    found = [p for p in legibility.problems(_pdf(body), lang="fr") if p.kind == "blank"]
    assert [p.page for p in found] == [2]


def test_glyphs_off_the_paper_are_found():
    # Chromium drops glyphs beyond the paper when it prints, so this guard is tried on glyph boxes directly.
    class Page:
        width, height = 595.0, 842.0

    chars = [{"text": "x", "x0": -3.0, "x1": 4.0, "top": 100.0, "bottom": 110.0},
             {"text": "y", "x0": 10.0, "x1": 16.0, "top": 100.0, "bottom": 110.0}]  # fmt: skip
    assert [p.kind for p in legibility._outside(1, Page, chars)] == ["outside"]
    assert legibility._outside(1, Page, chars[1:]) == []
