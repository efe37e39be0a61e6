"""The briefing pack's content (pack_content.Pack) + its charts as PNG → an editable Word document (A4).

The same content as the PDF, in Word's own styles so the secretary edits it as any document: Title, Heading 1
per objective and for the scorecard and annex, Heading 2 per indicator (Word's navigation pane lists them),
tables in "Table Grid", the featured chart as a picture. Its text is tagged with the pack's language, so Word
proofs it in French, Dutch or German rather than in English.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from presentation.i18n import t
from presentation.pack_content import STATUS_RGB, IndicatorSection, ObjectiveSection, Pack

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHART_WIDTH = Mm(165)  # A4 less 2 × 22.5 mm margins: the chart across the text column
MUTED = RGBColor(0x52, 0x60, 0x6D)
EMPHASIS = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")  # the method text's markdown: **bold**, *italic*


def docx_bytes(pack: Pack, pngs: dict[int, bytes]) -> bytes:
    """`pngs`: objective number → its featured chart (pack_content.featured_pngs)."""
    doc = Document()
    _page_and_language(doc, pack.lang)
    doc.core_properties.title = pack.title
    doc.core_properties.language = f"{pack.lang}-BE"
    _cover(doc, pack)
    _since(doc, pack)
    _scorecard(doc, pack)
    for obj in pack.objectives:
        _objective(doc, pack, obj, pngs.get(obj.number))
    _annex(doc, pack)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_and_language(doc, lang: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22.5)
    section.top_margin = section.bottom_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(10.5)
    # Proofing language of every style that inherits from the document defaults (all of them here).
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    tag = rpr.find(qn("w:lang"))
    if tag is None:
        tag = rpr.makeelement(qn("w:lang"), {})
        rpr.append(tag)
    tag.set(qn("w:val"), f"{lang}-BE")


def _muted(doc, text: str):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size, run.font.color.rgb = Pt(9), MUTED
    return paragraph


def _status(paragraph, text: str, code: str) -> None:
    run = paragraph.add_run(text)
    run.bold, run.font.color.rgb = True, RGBColor.from_string(STATUS_RGB[code])


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _table(doc, head: tuple[str, ...], rows, *, size: float = 9):
    table = doc.add_table(rows=1, cols=len(head))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, Pt(size)
    _repeat_header(table.rows[0])
    for cells in rows:
        row = table.add_row().cells
        for cell, text in zip(row, cells, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(str(text)).font.size = Pt(size)
    return table


def _repeat_header(row) -> None:
    """The header row again at the top of every page the table runs onto."""
    props = row._tr.get_or_add_trPr()
    props.append(props.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def _cover(doc, pack: Pack) -> None:
    doc.add_heading(pack.title, level=0)
    doc.add_paragraph(pack.tagline)
    for label, value in pack.cover_lines:
        paragraph = doc.add_paragraph()
        paragraph.add_run(t("label.pair", pack.lang, label=label, value="")).bold = True
        paragraph.add_run(value)
    _muted(doc, pack.cover_note)
    _page_break(doc)


def _since(doc, pack: Pack) -> None:
    """What changed since the last meeting: the first page after the cover."""
    since = pack.since
    doc.add_heading(since.heading, level=1)
    doc.add_paragraph(since.intro)
    if since.rows:
        _table(doc, since.head, since.rows, size=8)
        if since.more:
            _muted(doc, since.more)
    else:
        doc.add_paragraph(since.none)
    if since.action_heading:
        doc.add_heading(since.action_heading, level=2)
    for row in since.action_lines:
        doc.add_paragraph(" · ".join(row))
    _page_break(doc)


def _scorecard(doc, pack: Pack) -> None:
    doc.add_heading(pack.scorecard_title, level=1)
    doc.add_paragraph(pack.scorecard_intro)
    rows = [
        (row.objective, f"{row.status_text}\n{row.evidence}", f"{row.headline}\n{row.headline_status_text}",
         f"{row.value}\n{row.stale}".strip(), row.eu, row.position, row.target)
        for row in pack.scorecard
    ]  # fmt: skip
    table = _table(doc, pack.scorecard_head, rows, size=8.5)
    for row, cells in zip(pack.scorecard, table.rows[1:], strict=True):
        for run in cells.cells[1].paragraphs[0].runs:
            run.font.color.rgb = RGBColor.from_string(STATUS_RGB[row.status])


def _objective(doc, pack: Pack, obj: ObjectiveSection, png: bytes | None) -> None:
    _page_break(doc)
    doc.add_heading(obj.heading, level=1)
    paragraph = doc.add_paragraph()
    _status(paragraph, obj.status_text, obj.status)
    paragraph.add_run(f" · {obj.evidence}")
    if obj.next_release:
        doc.add_paragraph(obj.next_release)
    _muted(doc, obj.counts)
    if obj.actions:
        # The plan's action lines, briefly and apart from the indicators' status: counts, then the known ones.
        paragraph = doc.add_paragraph()
        paragraph.add_run(obj.actions.heading).bold = True
        paragraph.add_run(f" · {obj.actions.counts}")
        for line in obj.actions.known:
            doc.add_paragraph(line, style="List Bullet")
    # The featured indicator (after the headline, where the headline has no figures yet) with its chart, the
    # table of all the objective's indicators, then the others in words.
    featured = obj.featured
    first = [obj.headline, featured] if featured is not obj.headline else [featured]
    for ind in first:
        _indicator(doc, pack, ind, png if ind is featured else None)
    doc.add_heading(t("briefing.indicators_table", pack.lang), level=2)
    _table(doc, pack.indicator_head, [ind.cells() for ind in obj.indicators], size=8.5)
    for ind in obj.indicators:
        if ind.id not in {i.id for i in first}:
            _indicator(doc, pack, ind, None)


def _indicator(doc, pack: Pack, ind: IndicatorSection, png: bytes | None) -> None:
    """Its title, the chart (the featured indicator's), sentence, notes, source line."""
    doc.add_heading(ind.title, level=2)
    paragraph = doc.add_paragraph()
    _status(paragraph, ind.status_text, ind.status)
    if ind.stale:
        paragraph.add_run(f" · {ind.stale}")
    if png:
        doc.add_picture(io.BytesIO(png), width=CHART_WIDTH)
        picture = doc.inline_shapes[-1]._inline
        picture.docPr.set("descr", ind.title)  # what a screen reader says of the picture
    doc.add_paragraph(ind.sentence)
    for note in ind.notes:
        _muted(doc, note)
    _muted(doc, ind.source or pack.no_chart)


def _annex(doc, pack: Pack) -> None:
    _page_break(doc)
    annex = pack.annex
    doc.add_heading(annex.title, level=1)
    doc.add_heading(annex.sources_title, level=2)
    _table(doc, annex.head, annex.rows, size=8.5)
    doc.add_heading(annex.method_title, level=2)
    for block in annex.method_markdown.strip().split("\n\n"):
        lines = block.splitlines()
        if all(line.startswith("- ") for line in lines):
            for line in lines:
                _markdown_runs(doc.add_paragraph(style="List Bullet"), line[2:])
        else:
            _markdown_runs(doc.add_paragraph(), " ".join(line.strip() for line in lines))


def _markdown_runs(paragraph, text: str) -> None:
    """The method's **bold** and *italic* as Word runs (its only markdown besides paragraphs and lists)."""
    for part in EMPHASIS.split(text):
        if part.startswith("**"):
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("*"):
            paragraph.add_run(part[1:-1]).italic = True
        elif part:
            paragraph.add_run(part)
