"""Exports on the snapshot warehouse: charts carry title, source, target; XLSX metadata; the briefing pack."""

import html
import io
import re
import shutil
import unicodedata

import openpyxl
import pytest
from pypdf import PdfReader

from indicators.units import UNITS
from indicators.vocabulary import LANGS
from pipelines import reports
from pipelines.warehouse import connect_read_only
from presentation import data_exports, exports, status
from presentation.i18n import fmt_value, t
from tests import pack_legibility as legibility

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (CI installs it)"
)


def _norm(text: str) -> str:
    """PDF text as a reader copies it: ligatures and narrow spaces folded (NFKC), spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@pytest.fixture(scope="module")
def con(snapshot_warehouse):
    c = connect_read_only(snapshot_warehouse)
    yield c
    c.close()


@needs_chromium
@pytest.mark.parametrize("lang", LANGS)
def test_svg_chart_carries_title_source_and_target_label(con, lang):
    ctx = exports.indicator_context(con, "renewables_share", "BE", lang)
    svg = html.unescape(exports.image_bytes(exports.chart_figure(ctx, "BE", lang), "svg").decode("utf-8"))
    assert svg.lstrip().startswith("<svg")
    assert ctx["entry"].title in svg
    assert "Eurostat, nrg_ind_ren" in svg
    target = t(
        "chart.target",
        lang,
        scope=t("chart.target_scope.eu", lang),
        year=2030,
        value=fmt_value(42.5, True, lang),
    )
    assert target in svg, target


@needs_chromium
def test_png_and_pdf_charts(con):
    ctx = exports.indicator_context(con, "ghg_emissions", "BE", "en")
    fig = exports.chart_figure(ctx, "BE", "en")
    assert exports.image_bytes(fig, "png").startswith(b"\x89PNG")
    assert exports.image_bytes(fig, "pdf").startswith(b"%PDF")
    with pytest.raises(ValueError, match="format"):
        exports.image_bytes(fig, "gif")


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_has_data_and_metadata_sheets(con, lang):
    shown = data_exports.indicator_shown(con, "digital_skills", lang, geos=["BE", "EU27_2020"])
    book = openpyxl.load_workbook(io.BytesIO(data_exports.xlsx_bytes(shown, lang)))
    data, meta = book.worksheets
    assert data.max_row == 1 + 6
    table = data_exports.long_table(shown)  # the same rows, under the codes' headers
    assert set(table["geo"]) == {"BE", "EU27_2020"} and len(table) == 6
    # 2021 and 2023 from Eurostat, 2025 from the Commission's DESI record of the same survey figure.
    assert set(zip(table["period"], table["origin"], strict=True)) == {
        ("2021", "eurostat/isoc_sk_dskl_i21"),
        ("2023", "eurostat/isoc_sk_dskl_i21"),
        ("2025", "desi/desi_facts"),
    }
    cells = [str(v) for row in meta.iter_rows(values_only=True) for v in row if v is not None]
    assert any("indic_is=I_DSK2_BAB" in c for c in cells), cells
    assert t("flag.b", lang) in cells


@needs_chromium
@pytest.mark.parametrize("lang", LANGS)
def test_briefing_pack_has_cover_nine_objectives_annex_and_the_scorecard_numbers(con, pack_pdf, lang):
    body = pack_pdf(lang)
    # Legible at print size: text of 6.5 pt or more, nothing off the page or printed over other text,
    # decimal commas in French and Dutch, no blank page (tests/pack_legibility.py).
    assert [str(p) for p in legibility.problems(body, lang=lang)] == []
    pdf = PdfReader(io.BytesIO(body))
    pages = [_norm(p.extract_text()) for p in pdf.pages]
    flat = " ".join(pages)
    assert _norm(t("briefing.title", lang)) in pages[0]
    card = reports.scorecard(con, "BE", lang)
    for obj in card.objectives:
        starts = [p for p in pages if p.startswith(f"{obj.number}. ")]
        assert len(starts) == 1, f"objective {obj.number} should open exactly one page"
    assert any(_norm(t("briefing.annex", lang)) in p for p in pages[-3:])
    # Every figure of the scorecard table, formatted for the language, is in the pack.
    for obj in card.objectives:
        ind = obj.indicators[0]
        unit = UNITS[ind.unit]
        for v in (ind.value, ind.eu_value):
            if v is not None:
                assert _norm(fmt_value(v, unit.percent, lang)) in flat
    # Each objective says the strength of its evidence; stale figures say their age.
    for obj in card.objectives:
        assert _norm(status.evidence_short(obj.evidence, lang)) in flat
    stale = [i for i in card.indicators() if i.stale and i.value is not None]
    assert stale and all(_norm(status.stale_text(i, lang)) in flat for i in stale)
    assert not re.search(r"aiplan refresh", flat), "a developer instruction in the ministers' pack"
