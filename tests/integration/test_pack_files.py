"""The editable briefing pack on the bundled build, in every language: PPTX and DOCX read back with
python-pptx and python-docx say what the scorecard says (one slide or section per objective, its title and
status word in the language, its chart as a picture) and the same sentences as the PDF's content."""

from __future__ import annotations

import io
import shutil

import pytest
from docx import Document
from docx.oxml.ns import qn
from markupsafe import escape
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from indicators.vocabulary import LANGS
from pipelines import reports
from pipelines.warehouse import connect_read_only
from presentation import briefing, narrative, pack_content, pack_docx, pack_pptx, status
from presentation.geo import display_names
from tests.telltales import in_context

pytestmark = [
    pytest.mark.slow,  # nine charts drawn by kaleido per language
    pytest.mark.skipif(
        shutil.which("chromium") is None, reason="Debian's chromium is not installed (CI has it)"
    ),
]
N_OBJECTIVES = 9  # the plan's nine objectives (DESIGN.md)


@pytest.fixture(scope="module")
def con(snapshot_warehouse):
    c = connect_read_only(snapshot_warehouse)
    yield c
    c.close()


@pytest.fixture(scope="module")
def packs(con):
    """lang → (content, PPTX bytes, DOCX bytes): charts drawn once per language for both files."""
    out = {}
    for lang in LANGS:
        pack = pack_content.build(con, geo="BE", lang=lang)
        pngs = pack_content.featured_pngs(pack)
        out[lang] = (pack, pack_pptx.pptx_bytes(pack, pngs), pack_docx.docx_bytes(pack, pngs))
    return out


def _expected(con, lang):
    """Per objective, from the scorecard (not from the pack): its title line, status word, whether any of its
    indicators has figures (then it has a chart), and its headline's sentence."""
    card = reports.scorecard(con, "BE", lang)
    assert len(card.objectives) == N_OBJECTIVES
    geo_name = display_names(lang, reports.geo_labels(con, lang))["BE"]
    return [
        (
            f"{obj.number}. {obj.title}",
            status.word(obj.status, lang, obj.status_kind),
            any(i.data == "available" and i.value is not None for i in obj.indicators),
            narrative.objective_sentence(obj.indicators[0], geo_name=geo_name, lang=lang),
        )
        for obj in card.objectives
    ]


def _slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGS)
def test_pptx_has_cover_scorecard_and_one_slide_per_objective_in_the_language(con, packs, lang):
    pack, body, _ = packs[lang]
    prs = Presentation(io.BytesIO(body))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    slides = list(prs.slides)
    assert len(slides) == 3 + N_OBJECTIVES, "cover, since, scorecard, objectives"
    assert slides[0].shapes.title.text == pack.title
    cover = _slide_text(slides[0])
    assert all(f"{label}" in cover and value in cover for label, value in pack.cover_lines)
    assert slides[1].shapes.title.text == pack.since.heading
    table = next(s for s in slides[2].shapes if s.has_table).table
    assert len(table.rows) == 1 + N_OBJECTIVES
    for (title, word, has_chart, sentence), slide, row in zip(
        _expected(con, lang), slides[3:], list(table.rows)[1:], strict=True
    ):
        assert slide.shapes.title.text == title
        text = _slide_text(slide)
        assert word in text, f"{title}: status word {word!r} missing"
        assert word in row.cells[1].text and row.cells[0].text == title
        assert sentence in text, f"{title}: the headline's sentence is missing"
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == (1 if has_chart else 0), title
        for pic in pictures:
            px_w, _ = Image.open(io.BytesIO(pic.image.blob)).size
            assert px_w / Emu(pic.width).inches >= 200, "a projected chart needs about 200 dots an inch"
    # The same sentences and source lines as the PDF's content, which the PDF's HTML prints.
    doc, _ = briefing.render_html(pack, inline_plotly=False)
    for obj, slide in zip(pack.objectives, slides[3:], strict=True):
        text = _slide_text(slide)
        assert obj.featured.sentence in text and str(escape(obj.featured.sentence)) in doc
        assert (obj.featured.source or pack.no_chart) in text


@pytest.mark.parametrize("lang", LANGS)
def test_pptx_is_editable_legible_text_on_the_slide_without_notes(packs, lang):
    _, body, _ = packs[lang]
    prs = Presentation(io.BytesIO(body))
    for number, slide in enumerate(prs.slides, 1):
        assert not slide.has_notes_slide
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, f"slide {number}: {shape.name}"
            assert shape.left + shape.width <= prs.slide_width, (
                f"slide {number}: {shape.name} leaves the slide"
            )
            assert shape.top + shape.height <= prs.slide_height, (
                f"slide {number}: {shape.name} leaves the slide"
            )
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for run in (r for f in frames for p in f.paragraphs for r in p.runs):
                assert run.font.size is not None and run.font.size.pt >= 14, f"slide {number}: {run.text!r}"
                assert run._r.rPr.get("lang") == f"{lang}-BE", "PowerPoint would proof it in another language"
        text = _slide_text(slide)
        assert in_context(text, lang) == [], f"slide {number}"


def _docx_sections(body: bytes):
    """Heading 1 text → the paragraphs' text, the number of pictures and the tables under it."""
    doc = Document(io.BytesIO(body))
    sections: dict[str, dict] = {}
    current = None
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            style = el.find(qn("w:pPr"))
            style = style.find(qn("w:pStyle")).get(qn("w:val")) if style is not None and style.find(
                qn("w:pStyle")) is not None else ""  # fmt: skip
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            if style == "Heading1":
                current = sections.setdefault(text, {"text": [], "pictures": 0, "tables": [], "h2": []})
            elif current is not None:
                current["text"].append(text)
                current["pictures"] += len(list(el.iter(qn("a:blip"))))
                if style == "Heading2":
                    current["h2"].append(text)
        elif el.tag == qn("w:tbl") and current is not None:
            rows = el.findall(qn("w:tr"))
            current["tables"].append(["".join(t.text or "" for t in tr.iter(qn("w:t"))) for tr in rows])
    return doc, sections


@pytest.mark.parametrize("lang", LANGS)
def test_docx_has_one_heading_per_objective_with_chart_sentence_table_and_sources(con, packs, lang):
    pack, _, body = packs[lang]
    doc, sections = _docx_sections(body)
    assert doc.paragraphs[0].style.name == "Title" and doc.paragraphs[0].text == pack.title
    card = reports.scorecard(con, "BE", lang)
    expected = _expected(con, lang)
    objective_headings = [h for h in sections if h[:2].rstrip(".").isdigit()]
    assert objective_headings == [e[0] for e in expected], "one Heading 1 per objective, in plan order"
    assert pack.scorecard_title in sections and pack.annex.title in sections
    for (title, word, has_chart, sentence), obj, content in zip(
        expected, card.objectives, pack.objectives, strict=True
    ):
        section = sections[title]
        text = "\n".join(section["text"])
        assert word in text and sentence in text, title
        assert section["pictures"] == (1 if has_chart else 0), title
        assert obj.indicators[0].title in section["h2"][0], "the headline (or the charted one) comes first"
        table = next(t for t in section["tables"] if len(t) == 1 + len(obj.indicators))
        assert all(ind.title in row for ind, row in zip(obj.indicators, table[1:], strict=True)), title
        for ind in content.indicators:
            assert ind.sentence in text and (ind.source or pack.no_chart) in text
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert in_context("\n".join([*(p.text for p in doc.paragraphs), *cells]), lang) == []
    assert doc.core_properties.language == f"{lang}-BE"


def test_pack_formats_are_the_downloads_formats():
    from dashboard import downloads

    assert {f: briefing.FORMATS[f] for f in downloads.PACK_TYPES} == downloads.PACK_TYPES
    with pytest.raises(ValueError, match="briefing format 'odp'"):
        briefing.briefing_file(None, geo="BE", lang="en", fmt="odp")


def test_cli_writes_the_editable_pack(fixture_env, tmp_path):
    from aiplan.cli import main

    out = tmp_path / "pack.docx"
    assert (
        main(["export", "briefing", "--geo", "BE", "--lang", "nl", "--format", "docx", "--out", str(out)])
        == 0
    )
    doc = Document(out)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1" and p.text[:1].isdigit()]
    assert len(headings) == N_OBJECTIVES
    assert doc.core_properties.language == "nl-BE"
