"""Message key + language → user-facing text, and numbers/dates → locale-formatted strings."""

from __future__ import annotations

from datetime import date, datetime

DEFAULT_LANG = "en"

# One catalogue for every user-facing string; French and Dutch catalogues join it later.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "app.title": "AI Plan Monitor",
        "app.tagline": "Belgium's National convergence plan for the development of artificial intelligence "
        "(#SmartAINation, approved 28 October 2022), measured with official statistics.",
        "nav.home": "Objectives",
        "nav.dataset": "Dataset explorer",
        "home.header": "The nine objectives of the plan",
        "home.intro": "The plan sets objectives and action lines but no numeric targets of its own. "
        "Each objective is measured with official statistics and held against EU and Belgian targets.",
        "home.data_as_of": "Data: {n_datasets} datasets, {n_obs} observations; warehouse built {built}.",
        "dataset.header": "Dataset explorer",
        "dataset.choose": "Dataset",
        "dataset.series": "Series",
        "dataset.geos": "Countries and aggregates",
        "dataset.no_data": "No observations for this selection in the bundled snapshot. "
        "Run `aiplan refresh` on a connected machine to fetch it.",
        "dataset.table": "Data behind the chart",
        "dataset.notice_bad_param": "The link asked for {param}={value!r}, which is not available; "
        "showing the default instead.",
        "chart.source": "{attribution}. Last update upstream: {updated}.",
        "chart.flags": "Flags: {flags}.",
        "flag.b": "b = break in series",
        "flag.p": "p = provisional",
        "flag.e": "e = estimated",
        "flag.u": "u = low reliability",
        "flag.d": "d = definition differs",
        "flag.C": "C = confidential",
        "unknown": "unknown",
        "warehouse.missing": "No warehouse found. Run `aiplan build --from-snapshot`.",
    }
}


def t(key: str, lang: str = DEFAULT_LANG, **kwargs) -> str:
    """Translate `key`; fall back to English, then to the key itself (which tests catch)."""
    text = MESSAGES.get(lang, {}).get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    return text.format(**kwargs) if kwargs else text


def fmt_number(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    if value is None or value != value:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang in ("fr", "nl"):
        # French and Dutch: comma decimal separator, (narrow) space / dot grouping.
        sep = "\u202f" if lang == "fr" else "."
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    return text


def fmt_date(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return t("unknown", lang)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d")
