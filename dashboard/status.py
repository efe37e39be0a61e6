"""Status code → icon, badge colour and word: a status is never shown by colour alone."""

from __future__ import annotations

from dashboard.i18n import t

# Material icons differ in shape, so the status reads without colour; badge colours are Streamlit's names.
STYLE: dict[str, tuple[str, str, str]] = {
    "target_met": (":material/verified:", "green", "#009E73"),
    "on_track": (":material/check_circle:", "green", "#009E73"),
    "moderate": (":material/change_circle:", "yellow", "#E69F00"),
    "insufficient": (":material/warning:", "orange", "#D55E00"),
    "moving_away": (":material/cancel:", "red", "#B2182B"),
    "insufficient_data": (":material/help:", "gray", "#6B7280"),
}
ORDER = ("target_met", "on_track", "moderate", "insufficient", "moving_away", "insufficient_data")


def icon(status: str) -> str:
    return STYLE[status][0]


def colour(status: str) -> str:
    return STYLE[status][1]


def hex_colour(status: str) -> str:
    return STYLE[status][2]


def word(status: str, lang: str) -> str:
    return t(f"status.{status}", lang)
