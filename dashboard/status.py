"""Status code → icon, badge colour and word: a status is never shown by colour alone."""

from __future__ import annotations

from dashboard.i18n import t

# Material icons differ in shape, so the status reads without colour; badge colours are Streamlit's names.
STYLE: dict[str, tuple[str, str]] = {
    "target_met": (":material/verified:", "green"),
    "on_track": (":material/check_circle:", "green"),
    "moderate": (":material/change_circle:", "yellow"),
    "insufficient": (":material/warning:", "orange"),
    "moving_away": (":material/cancel:", "red"),
    "insufficient_data": (":material/help:", "gray"),
}
ORDER = ("target_met", "on_track", "moderate", "insufficient", "moving_away", "insufficient_data")


def icon(status: str) -> str:
    return STYLE[status][0]


def colour(status: str) -> str:
    return STYLE[status][1]


def word(status: str, lang: str) -> str:
    return t(f"status.{status}", lang)
