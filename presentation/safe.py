"""Untrusted text (URL parameters, upstream labels) → inert text for markdown and for plotly's pseudo-HTML."""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md(text: object, max_len: int = 120) -> str:
    """Escape every markdown character so the text shows as typed (no links, images, emphasis or HTML)."""
    s = str(text)
    if len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", s)


def plot(text: object) -> str:
    """Plotly renders <a href>, <b> and <br> in titles and names: entities make them plain text."""
    return html.escape(str(text), quote=False)
