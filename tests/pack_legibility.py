"""A PDF → the legibility problems of each page: small text, text off the page, words printed over each other,
decimal points in French or Dutch numbers, pages without content. Shared by the tests and by a person's check.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pdfplumber

from presentation.i18n import number_separators

MIN_PT = 6.5  # the footer (page numbers, 8 px) is exempt: it is printed by Chromium in the margin
FOOTER_BAND_PT = 40  # words whose top lies this close to the page's bottom edge are the footer
OVERLAP = 0.25  # two words overlap when they share this much of the smaller one's area
# A decimal point between digits (3.4), which French and Dutch write as a comma. Names that carry one by
# definition are not numbers: licences ("CC BY 4.0") and legal references.
DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
NOT_NUMBERS = ("CC BY 4.0",)
# Dutch groups thousands with a point (37.760 cars): a group of three after a leading 1–9 is no decimal.
DUTCH_THOUSANDS = re.compile(r"(?<![\w.,])[1-9]\d{0,2}(?:\.\d{3})+(?![\w.])")


@dataclass(frozen=True)
class Problem:
    page: int
    kind: str  # small | outside | overlap | decimal_point | blank
    detail: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.kind}: {self.detail}"


def problems(pdf_bytes: bytes, *, lang: str) -> list[Problem]:
    out: list[Problem] = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            chars = [c for c in page.chars if c["top"] < page.height - FOOTER_BAND_PT and c["text"].strip()]
            # Rotated text (axis titles, the series-break label) is checked for size, not for overlap: its
            # word boxes are not those of upright text.
            upright = page.filter(lambda obj: obj.get("object_type") != "char" or obj.get("upright", True))
            words = upright.extract_words(keep_blank_chars=False, use_text_flow=False)
            body = [w for w in words if w["top"] < page.height - FOOTER_BAND_PT]
            flat = [c for c in chars if c.get("upright", True)]
            out += _small(n, chars) + _outside(n, page, page.chars) + _overlaps(n, flat)
            if lang != "en":  # every other language writes a decimal comma
                out += _decimal_points(n, page.extract_text() or "", lang)
            if len(body) < 5:
                out.append(Problem(n, "blank", f"{len(body)} words outside the footer"))
    return out


def _size(char: dict) -> float:
    """The glyph's size in points: pdfminer's `size` is the box height, which for text turned a quarter
    (axis titles) is the advance width; there the box width is the size."""
    return char["size"] if char.get("upright", True) else char["x1"] - char["x0"]


def _small(n: int, chars: list[dict]) -> list[Problem]:
    small: dict[str, float] = {}
    for c in chars:
        size = _size(c)
        if size < MIN_PT:
            small.setdefault(f"{c['fontname']} near x {c['x0']:.0f}, y {c['top']:.0f}", size)
    return [Problem(n, "small", f"{where} at {size:.1f} pt") for where, size in small.items()]


def _outside(n: int, page, words: list[dict]) -> list[Problem]:
    return [
        Problem(
            n,
            "outside",
            f"{w['text']!r} at x {w['x0']:.0f}–{w['x1']:.0f}, y {w['top']:.0f}–{w['bottom']:.0f}",
        )
        for w in words
        if w["x0"] < -0.5 or w["x1"] > page.width + 0.5 or w["top"] < -0.5 or w["bottom"] > page.height + 0.5
    ]


def _overlaps(n: int, chars: list[dict]) -> list[Problem]:
    """Glyphs printed over other glyphs (at the level of characters: two texts on one line would be merged
    into one "word" by a word finder)."""
    found: dict[str, Problem] = {}
    for k, c in enumerate(chars):
        c["_seq"] = k  # the order Chromium wrote them: neighbours in one run may kern into each other
    ordered = sorted(chars, key=lambda c: c["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["top"] >= a["bottom"]:
                break
            if abs(a["_seq"] - b["_seq"]) == 1 and abs(a["top"] - b["top"]) < 0.5:
                continue
            w = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            h = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if w <= 0 or h <= 0:
                continue
            smaller = min(
                (a["x1"] - a["x0"]) * (a["bottom"] - a["top"]), (b["x1"] - b["x0"]) * (b["bottom"] - b["top"])
            )
            if smaller > 0 and w * h / smaller > OVERLAP:
                where = f"near x {a['x0']:.0f}, y {a['top']:.0f}"
                found.setdefault(where, Problem(n, "overlap", f"{a['text']!r} over {b['text']!r} {where}"))
    return list(found.values())


def _decimal_points(n: int, text: str, lang: str) -> list[Problem]:
    for name in NOT_NUMBERS:
        text = text.replace(name, "")
    if number_separators(lang)[1] == ".":  # Dutch and German group thousands with a point
        text = DUTCH_THOUSANDS.sub("", text)
    return [Problem(n, "decimal_point", m.group(0)) for m in DECIMAL_POINT.finditer(text)]
