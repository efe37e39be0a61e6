"""Status code, evidence, currency and EU position → words, icons and badge colours (never colour alone)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from indicators.units import UNITS
from indicators.vocabulary import DIRECTION_STATUSES, STALE_AFTER_YEARS, STATUSES
from pipelines.contracts import Evidence, IndicatorEntry, Release
from presentation.i18n import fmt_month, fmt_value, t

# Material icons differ in shape, so the status reads without colour; badge colours are Streamlit's names.
STYLE: dict[str, tuple[str, str]] = {
    "target_met": (":material/verified:", "green"),
    "on_track": (":material/check_circle:", "green"),
    "moderate": (":material/change_circle:", "yellow"),
    "insufficient": (":material/warning:", "orange"),
    "moving_away": (":material/cancel:", "red"),
    "insufficient_data": (":material/help:", "gray"),
}
# Where no icon font is (the terminal, the printed pack), a text symbol carries the shape instead.
SYMBOL: dict[str, str] = {
    "target_met": "✔✔",
    "on_track": "✔",
    "moderate": "◐",
    "insufficient": "▽",
    "moving_away": "✖",
    "insufficient_data": "?",
}
assert set(STYLE) == set(SYMBOL) == set(STATUSES), "a status without its icon, colour or symbol"
POSITION_STYLE = {
    "better": (":material/arrow_upward:", "blue"),
    "worse": (":material/arrow_downward:", "violet"),
    "level": (":material/drag_handle:", "gray"),
}


def icon(status: str) -> str:
    return STYLE[status][0]


def colour(status: str) -> str:
    return STYLE[status][1]


def word(status: str, lang: str, kind: str = "target") -> str:
    """'on_track' → 'on track' against a target, 'improving' for a direction-only indicator."""
    # Without a target a status only says which way the value moves: its own words, never "on track".
    if kind == "direction" and status in DIRECTION_STATUSES:
        return t(f"status.direction.{status}", lang)
    return t(f"status.{status}", lang)


def counts_text(pairs: Iterable[tuple[str, str]], lang: str) -> str:
    """(status, kind) pairs → '2 on track · 1 improving · 1 not enough data', in the words of each kind."""
    tally: dict[tuple[str, str], int] = {}
    for code, kind in pairs:
        key = (code, word(code, lang, kind))
        tally[key] = tally.get(key, 0) + 1
    ordered = sorted(tally.items(), key=lambda kv: (STATUSES.index(kv[0][0]), kv[0][1]))
    return " · ".join(t("scorecard.count_item", lang, n=n, status=w) for (_, w), n in ordered)


def indicator_counts_text(indicators: Sequence[IndicatorEntry], lang: str) -> str:
    """An objective's indicators by status, as its status counts them: those assessed on stale data are said
    apart ('1 on data of 2022 or earlier, not counted'), so the counts add up to what the status rests on."""
    counted = [i for i in indicators if not (i.stale and i.status != "insufficient_data")]
    text = counts_text(((i.status, i.status_kind) for i in counted), lang)
    n_stale = len(indicators) - len(counted)
    if n_stale:
        now = next((i.current_year for i in indicators if i.current_year), None)
        stale = t("scorecard.count_stale", lang, count=n_stale, n=n_stale, year=_stale_year(now))
        text = f"{text} · {stale}" if text else stale
    return text


def evidence_text(evidence: Evidence | None, lang: str) -> str:
    """'limited: 1 of 5 indicators assessed on current data (2023–2025); 3 more … not counted'."""
    if not evidence:
        return ""
    years = ""
    if evidence.first_year:
        first, last = evidence.first_year, evidence.last_year
        years = (
            t("evidence.years", lang, first=first, last=last)
            if first != last
            else t("evidence.year", lang, year=first)
        )
    level = t(f"evidence.level.{evidence.level}", lang)
    text = t("evidence.line", lang, count=evidence.n_current, level=level,
             n_current=evidence.n_current, n=evidence.n_indicators, years=years)  # fmt: skip
    if evidence.n_stale:
        text += t("evidence.stale", lang, count=evidence.n_stale, n=evidence.n_stale,
                  year=_stale_year(evidence.current_year))  # fmt: skip
    return text


def evidence_short(evidence: Evidence | None, lang: str) -> str:
    """'evidence limited: 1 of 5 indicators current', for tables."""
    if not evidence:
        return ""
    level = t(f"evidence.level.{evidence.level}", lang)
    return t("evidence.short", lang, count=evidence.n_current, level=level,
             n_current=evidence.n_current, n=evidence.n_indicators)  # fmt: skip


def _stale_year(current_year: int | None) -> int:
    """The last year whose data count as stale in `current_year` (today's when unknown)."""
    return (current_year or date.today().year) - STALE_AFTER_YEARS - 1


def stale_text(entry: IndicatorEntry, lang: str) -> str | None:
    """'2021 data, 5 years old' for an indicator whose latest data are stale; None when current."""
    if not entry.stale or entry.latest_year is None:
        return None
    year = int(entry.latest_year)
    age = (entry.current_year or date.today().year) - year
    return t("stale.badge", lang, year=year, age=age)


def position_text(entry: IndicatorEntry, lang: str) -> str | None:
    """'worse than the EU, rank 18 of 27' (the position, never mixed with the progress status)."""
    parts = []
    if entry.position:
        parts.append(t(f"position.{entry.position}", lang))
    if entry.rank and entry.n_ranked:
        parts.append(t("position.rank", lang, rank=entry.rank, n=entry.n_ranked))
    return ", ".join(parts) or None


def target_text(entry: IndicatorEntry, lang: str) -> str:
    """'EU 75 % (2030)', 'BE 3 % (2030)'; '–' without a target. The scope is always said."""
    target = entry.target
    if not target or target.value is None:
        return "–"
    unit = UNITS[entry.unit]
    value = fmt_value(target.value, unit.percent, lang, 0 if float(target.value).is_integer() else 1)
    scope = t(f"target.scope_short.{target.scope}", lang)
    return t("scorecard.target_value", lang, scope=scope, value=value, year=target.year)


def next_release_text(release: Release | None, lang: str, *, objective: bool = False) -> str | None:
    """'No status yet: the first trend is expected with the 2026 figures, due December 2026 (...)'."""
    if not release:
        return None
    text = t("next_release.objective" if objective else "next_release.indicator", lang,
             year=release.data_year, month=fmt_month(release.month, lang),
             publisher=release.publisher)  # fmt: skip
    if release.confidence == "to_confirm":
        text += t("next_release.to_confirm", lang)
    return text
