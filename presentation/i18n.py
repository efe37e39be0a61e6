"""Message key + language → text (presentation/locales/<lang>/*.yaml); numbers and dates → locale text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from babel import Locale
from babel.numbers import format_decimal

from indicators.vocabulary import DEFAULT_LANG, LANGS, lang_or_default  # noqa: F401  (LANGS re-exported for the app)
from pipelines.upstream_time import instant

LOCALES = Path(__file__).resolve().parent / "locales"
BRUSSELS = ZoneInfo("Europe/Brussels")  # where the publishers and the readers are


@cache
def catalogue(lang: str) -> dict[str, str | dict[str, str]]:
    """All messages of one language: every YAML file of its folder; keys are flat (not prefixed by file).

    A message that depends on a count is a mapping of CLDR plural forms (`one`, `other`, ...) to texts."""
    messages: dict[str, str | dict[str, str]] = {}
    for path in sorted((LOCALES / lang).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, text in doc.items():
            if key in messages:
                raise ValueError(f"{path}: message key {key!r} is defined twice")
            if isinstance(text, dict):
                if "other" not in text:
                    raise ValueError(f"{path}: message {key!r} has plural forms but no 'other'")
                messages[key] = {str(k): str(v) for k, v in text.items()}
            else:
                messages[key] = str(text)
    return messages


def t(key: str, lang: str = DEFAULT_LANG, *, count: float | None = None, **kwargs) -> str:
    """Translate `key`; fall back to English, then to the key itself (which the tests catch).

    A message with plural forms takes the form that `count` calls for in `lang` (CLDR rules via Babel:
    French treats 0 and 1 as singular, English and Dutch only 1)."""
    text = catalogue(lang).get(key) if lang in LANGS else None
    if not text:
        lang, text = DEFAULT_LANG, catalogue(DEFAULT_LANG).get(key) or key
    if isinstance(text, dict):
        if count is None:
            raise ValueError(f"message {key!r} has plural forms: give count=")
        text = text.get(plural_form(count, lang)) or text["other"]
    return text.format(**kwargs) if kwargs else text


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_form(count: float, lang: str = DEFAULT_LANG) -> str:
    """CLDR plural category of `count` in `lang`: 'one' or 'other' for our languages (French also 'many')."""
    return _locale(lang).plural_form(abs(count))


def fmt_number(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """34.5 → '34.5' (en) or '34,5' (fr, nl, de): the language's CLDR decimal mark and grouping (Babel)."""
    if value is None or value != value:
        return "–"
    # Half up on the decimal text, as publishers round: 19.95 → 20.0 (binary 19.95 is 19.9499…). Babel then
    # only writes the rounded number (its own rounding, half even, has nothing left to round).
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    locale = _locale(lang_or_default(lang))
    text = format_decimal(rounded, format=pattern, locale=locale)
    # A true minus sign, as fmt_signed writes (CLDR's minus for our languages is the hyphen-minus).
    return text.replace(locale.number_symbols["latn"]["minusSign"], "\u2212")


def number_separators(lang: str = DEFAULT_LANG) -> str:
    """'fr' → ',\u202f': the language's decimal then grouping mark (CLDR), as plotly's `separators`."""
    symbols = _locale(lang_or_default(lang)).number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]


def fmt_value(value: float | None, unit_is_percent: bool, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """34.5 → '34.5 %' (en) or '34,5 %' (fr, nl, de) for percentages; plain number otherwise."""
    text = fmt_number(value, lang, decimals)
    return f"{text}\u00a0%" if unit_is_percent and text != "–" else text


def fmt_signed(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    text = fmt_number(abs(value) if value is not None else None, lang, decimals)
    if text == "–":
        return text
    return ("+" if value >= 0 else "−") + text


def fmt_date(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """2026-12-01 → '1 December 2026' / '1 décembre 2026' / '1 december 2026' / '1. Dezember 2026' (CLDR's
    long date, Belgian conventions); a publisher's stated time is read as `upstream_time.instant` reads it and
    dated in Brussels, where the publishers are; missing → the catalogue's 'not stated' words."""
    moment = _moment(value)
    if moment is None:
        return t("unknown", lang) if _missing(value) else str(value)
    from babel.dates import format_date

    day = moment.astimezone(BRUSSELS).date() if isinstance(moment, datetime) and moment.tzinfo else moment
    return format_date(day, "long", locale=_date_locale(lang))


def fmt_datetime(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """An instant → '1 December 2026, 02:07' in Brussels time (a naive time is UTC, as the warehouse writes
    it); CLDR joins the long date and the short time the language's way."""
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return fmt_date(value, lang)
    from babel.dates import format_date, format_time, get_datetime_format

    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BRUSSELS)
    locale = _date_locale(lang)
    pattern = get_datetime_format("long", locale=locale).replace("'", "")
    return pattern.replace("{0}", format_time(local, "short", locale=locale)).replace(
        "{1}", format_date(local.date(), "long", locale=locale)
    )


def _missing(value) -> bool:
    # None, "", NaN and pandas' NaT (which is not equal to itself, like NaN).
    return value is None or value == "" or value != value


def _moment(value) -> date | datetime | None:
    """A date, a datetime (pandas' Timestamp is one) or a stated time → a date or datetime; None if none."""
    if _missing(value):
        return None
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else instant(text)
        except ValueError:
            return None
    return None


@cache
def _date_locale(lang: str) -> Locale:
    """Dates as written in Belgium: en_BE gives '1 December 2026' where en says 'December 1, 2026'."""
    return Locale.parse(f"{lang}_BE")


def fmt_month(value: str, lang: str = DEFAULT_LANG) -> str:
    """'2026-12' → 'December 2026' / 'décembre 2026' / 'december 2026' (CLDR month names via Babel)."""
    from babel.dates import format_date

    year, month = (int(x) for x in value.split("-"))
    return format_date(date(year, month, 1), "LLLL y", locale=_locale(lang))
