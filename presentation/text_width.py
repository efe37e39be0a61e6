"""Chart text + font size → its drawn width in pixels (the chart font's metrics); lines that fit a width.

A chart's layout (how many lines a source note takes, how many rows a legend) depends on how wide its words
are drawn, and French, Dutch and German words are wider than English ones: counting characters guesses,
measuring with the font the browser draws with (DejaVu Sans, first in charts.FONT) does not.
"""

from __future__ import annotations

import html
import re
from functools import cache

from PIL import ImageFont

# The fonts of charts.FONT in its order: the browser draws with the first one installed, so we measure it.
FONT_FILES = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
}
_TAG = re.compile(r"<[^>]+>")


@cache
def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size)  # Pillow looks in the system's font folders
        except OSError:
            continue
    # Neither installed: Pillow's own font, whose widths are close enough to keep text off the edges.
    return ImageFont.load_default(size)


def width(text: str, size: float, *, bold: bool = False) -> float:
    """Pixels that `text` takes at `size` px; plotly pseudo-HTML (tags, entities) is measured as drawn."""
    shown = html.unescape(_TAG.sub("", text))
    return float(_font(size, bold).getlength(shown))


def wrap(escaped: str, size: float, max_px: float, *, bold: bool = False) -> list[str]:
    """Lines of whole words, each at most `max_px` wide when drawn (a longer word stays on a line of its own:
    a cut inside a word could split an entity such as &amp; and print half of it)."""
    lines: list[str] = []
    for word in escaped.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and width(candidate, size, bold=bold) <= max_px:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
