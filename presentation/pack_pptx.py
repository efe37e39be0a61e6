"""The briefing pack's content (pack_content.Pack) + its charts as PNG → an editable PowerPoint file (16:9).

A cover, the scorecard as a table, then one slide per objective: title, status in words, the featured chart
as a picture, its sentence and its source line. Every text is a text box (the secretary edits it), every run
is tagged with the pack's language (PowerPoint's proofing), nothing smaller than 14 pt, no speaker notes.
Box heights come from the texts' drawn widths (text_width), so long French or German lines get the room they
take instead of running under the next box.
"""

from __future__ import annotations

import io

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Emu, Inches, Pt

from presentation import text_width
from presentation.i18n import t
from presentation.pack_content import STATUS_RGB, ObjectiveSection, Pack

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.5)
CHART_W = Inches(7.6)  # the most a chart takes of the slide's width; the words beside it get the rest
BODY_PT, SMALL_PT, TITLE_PT, MIN_TITLE_PT = 16, 14, 28, 20
LINE = 1.2  # line height as a multiple of the font size (set on every paragraph, so it holds)
SPACE_PT = 6  # between paragraphs
PAD = Inches(0.1)  # a text box's inner margins, left and right together (python-pptx's default 0.1 in each)
INK, MUTED = RGBColor(0x1F, 0x29, 0x33), RGBColor(0x52, 0x60, 0x6D)
TITLE_ONLY = 5  # the default template's "Title Only" layout: a real title, which the outline view lists
MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def pptx_bytes(pack: Pack, pngs: dict[int, bytes]) -> bytes:
    """`pngs`: objective number → its featured chart (pack_content.featured_pngs)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = pack.title
    prs.core_properties.language = _lang_tag(pack.lang)
    _cover(prs, pack)
    _since(prs, pack)
    _scorecard(prs, pack)
    for obj, row in zip(pack.objectives, pack.scorecard, strict=True):
        _objective(prs, pack, obj, row.evidence, pngs.get(obj.number))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _lang_tag(lang: str) -> str:
    return f"{lang}-BE"  # the pack is written for Belgium's administration


def _lines(text: str, size_pt: float, width_emu: int, *, bold: bool = False) -> int:
    """How many lines `text` takes at `size_pt` in a box `width_emu` wide (measured in DejaVu Sans, wider
    than Arial, so the estimate errs on the side of room)."""
    usable = Emu(width_emu - PAD).pt
    return sum(max(1, len(text_width.wrap(part, size_pt, usable, bold=bold))) for part in text.split("\n"))


def _height(lines: int, size_pt: float) -> int:
    return Pt(lines * size_pt * LINE) + Inches(0.1)


def _slide(prs: Presentation, title: str, lang: str):
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    width = SLIDE_W - 2 * MARGIN
    size = TITLE_PT
    while size > MIN_TITLE_PT and _lines(title, size, width, bold=True) > 2:
        size -= 2
    shape = slide.shapes.title
    shape.left, shape.top, shape.width = MARGIN, Inches(0.3), width
    shape.height = _height(_lines(title, size, width, bold=True), size)
    frame = shape.text_frame
    frame.word_wrap, frame.vertical_anchor = True, MSO_ANCHOR.TOP
    frame.text = ""
    frame.paragraphs[0].line_spacing = LINE
    _run(frame.paragraphs[0], title, size, lang, bold=True)
    return slide, shape.top + shape.height


def _run(paragraph, text: str, size: float, lang: str, *, bold: bool = False, colour: RGBColor = INK):
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, "Arial"
    run.font.color.rgb = colour
    run._r.get_or_add_rPr().set("lang", _lang_tag(lang))  # PowerPoint proofs the text in this language
    return run


def _box_height(paragraphs: list[list[tuple]], width: int) -> int:
    points = 0.0
    for runs in paragraphs:  # each paragraph's lines at its largest font, bold if any run is
        size = max(r[1] for r in runs)
        points += _lines("".join(r[0] for r in runs), size, width, bold=any(r[2] for r in runs)) * size * LINE
    return Pt(points + SPACE_PT * (len(paragraphs) - 1)) + Inches(0.1)


def _box(slide, left: int, top: int, width: int, paragraphs: list[list[tuple]], lang: str) -> int:
    """A text box of paragraphs, each a list of (text, size, bold, colour) runs; returns its bottom."""
    height = _box_height(paragraphs, width)
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    for i, runs in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_before = Pt(SPACE_PT if i else 0)
        paragraph.line_spacing = LINE
        for text, size, bold, colour in runs:
            _run(paragraph, text, size, lang, bold=bold, colour=colour)
    return top + height


def _status_colour(code: str) -> RGBColor:
    return RGBColor.from_string(STATUS_RGB[code])


def _cover(prs: Presentation, pack: Pack) -> None:
    slide, bottom = _slide(prs, pack.title, pack.lang)
    slide.shapes.title.top = Inches(1.6)
    width = SLIDE_W - 2 * MARGIN
    pair = [
        [(t("label.pair", pack.lang, label=label, value=""), 18, True, INK), (value, 18, False, INK)]
        for label, value in pack.cover_lines
    ]  # fmt: skip
    tagline = [[(pack.tagline, 20, False, MUTED)]]
    top = _box(slide, MARGIN, bottom + Inches(1.5), width, tagline, pack.lang)
    top = _box(slide, MARGIN, top + Inches(0.3), width, pair, pack.lang)
    _box(slide, MARGIN, top + Inches(0.3), width, [[(pack.cover_note, SMALL_PT, False, MUTED)]], pack.lang)


SLIDE_SINCE_ROWS = 8  # what a 16:9 slide holds at SMALL_PT; the PDF and Word packs hold more


def _since(prs: Presentation, pack: Pack) -> None:
    """What changed since the last meeting, one paragraph a row: indicator, change, period, before → now."""
    since, lang = pack.since, pack.lang
    slide, top = _slide(prs, since.heading, lang)
    width = SLIDE_W - 2 * MARGIN
    paragraphs = [[(since.intro, SMALL_PT, False, MUTED)]]
    if not since.lines:
        paragraphs.append([(since.none, SMALL_PT, False, INK)])
    for line in since.lines[:SLIDE_SINCE_ROWS]:
        change = " → ".join(v for v in (line.old, line.new) if v)
        rest = f" · {line.kind} · {line.period}: {change} · {line.seen_at}"
        paragraphs.append(
            [(f"{line.indicator} ({line.geo})", SMALL_PT, True, INK), (rest, SMALL_PT, False, INK)]
        )
    more = len(since.lines) - SLIDE_SINCE_ROWS
    if more > 0 or since.more:
        paragraphs.append([(since.more or t("changes.pack_more", lang, n=more), SMALL_PT, False, MUTED)])
    if since.action_heading:
        paragraphs.append([(since.action_heading, SMALL_PT, True, INK)])
    for row in since.action_lines:
        paragraphs.append([(" · ".join(row), SMALL_PT, False, INK)])
    _box(slide, MARGIN, top + Inches(0.15), width, paragraphs, lang)


def _scorecard(prs: Presentation, pack: Pack) -> None:
    lang = pack.lang
    slide, top = _slide(prs, pack.scorecard_title, lang)
    head = (t("briefing.col.objective", lang), t("briefing.col.status", lang),
            t("pack.col.headline_value", lang), t("briefing.col.target", lang))  # fmt: skip
    widths = (Inches(5.5), Inches(2.9), Inches(2.15), Inches(1.783))
    rows = [(row.objective, row.status_text, row.value, row.target) for row in pack.scorecard]
    size = SMALL_PT
    row_heights = [
        max(_height(_lines(text, size, w, bold=r == 0), size) for text, w in zip(cells, widths, strict=True))
        for r, cells in enumerate([head, *rows])
    ]  # fmt: skip
    table = slide.shapes.add_table(
        len(rows) + 1, 4, MARGIN, top + Inches(0.15), sum(widths), sum(row_heights)
    )
    table = table.table
    for c, w in enumerate(widths):
        table.columns[c].width = w
    for r, (cells, height) in enumerate(zip([head, *rows], row_heights, strict=True)):
        table.rows[r].height = height
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            frame = cell.text_frame
            frame.word_wrap = True
            frame.text = ""
            colour = _status_colour(pack.scorecard[r - 1].status) if r and c == 1 else INK
            _run(frame.paragraphs[0], text, size, lang, bold=(r == 0 or c == 1), colour=colour)
    # The table's own style colours the header; its body rows stay white with dark text, readable projected.
    _light_body(table)


def _light_body(table) -> None:
    for r in range(1, len(table.rows)):
        for c in range(len(table.columns)):
            cell = table.cell(r, c)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if r % 2 else RGBColor(0xF0, 0xF4, 0xF8)


def _objective(
    prs: Presentation, pack: Pack, obj: ObjectiveSection, evidence: str, png: bytes | None
) -> None:
    """Title across; the chart on the left as high as the slide allows; status and words on the right; the
    source line along the foot. Notes and the other indicators stay in the PDF and DOCX: a slide is read from
    the back of a room."""
    lang = pack.lang
    slide, top = _slide(prs, obj.heading, lang)
    top += Inches(0.1)
    width = SLIDE_W - 2 * MARGIN
    featured, headline = obj.featured, obj.headline
    source = featured.source or pack.no_chart
    source_top = SLIDE_H - Inches(0.3) - _height(_lines(source, SMALL_PT, width), SMALL_PT)
    _box(slide, MARGIN, source_top, width, [[(source, SMALL_PT, False, MUTED)]], lang)
    text_left, text_w = MARGIN, width  # without a chart the words take the slide's width
    if png:
        px_w, px_h = Image.open(io.BytesIO(png)).size
        w = min(CHART_W, int((source_top - Inches(0.15) - top) * px_w / px_h))
        pic = slide.shapes.add_picture(io.BytesIO(png), MARGIN, top, width=w, height=int(w * px_h / px_w))
        pic._element.nvPicPr.cNvPr.set("descr", featured.title)  # what a screen reader says of the picture
        text_left = MARGIN + w + Inches(0.3)
        text_w = SLIDE_W - MARGIN - text_left
    target = t("label.pair", lang, label=t("briefing.col.target", lang), value=featured.target)
    for size in (BODY_PT, SMALL_PT):  # the larger size where the words fit beside the chart
        paragraphs = [[(obj.status_text, size + 4, True, _status_colour(obj.status))],
                      [(evidence[:1].upper() + evidence[1:], SMALL_PT, False, MUTED)]]  # fmt: skip
        if obj.next_release:
            paragraphs.append([(obj.next_release, SMALL_PT, False, MUTED)])
        if (
            obj.actions
        ):  # the plan's action lines by status, apart from the indicators' (the lines: PDF, DOCX)
            paragraphs.append([(f"{obj.actions.heading} · {obj.actions.counts}", SMALL_PT, False, MUTED)])
        if featured is not headline:
            # The headline has no figures yet: said first, then the indicator whose chart is shown.
            paragraphs += [[(headline.title, size, True, INK)], [(headline.sentence, size, False, INK)]]
        paragraphs += [
            [(featured.title, size, True, INK)],
            [(featured.status_text, size, True, _status_colour(featured.status)),
             ("  ·  " + target, size, False, INK)],
            [(featured.sentence, size, False, INK)],
        ]  # fmt: skip
        if top + _box_height(paragraphs, text_w) <= source_top - Inches(0.1):
            break
    _box(slide, text_left, top, text_w, paragraphs, lang)
