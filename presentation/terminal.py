"""Scorecard (contracts.Scorecard) → a rich table in the terminal, with a summary line, in its language."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from indicators.units import UNITS
from indicators.vocabulary import STATUSES
from pipelines.contracts import IndicatorEntry, Scorecard
from presentation import status as status_words
from presentation.i18n import fmt_date, fmt_number, t

# Status shown as a word and a symbol, never by colour alone; words and symbols are the app's (status.py).
COLOUR = {
    "target_met": "green",
    "on_track": "green",
    "moderate": "yellow",
    "insufficient": "dark_orange",
    "moving_away": "red",
    "insufficient_data": "grey50",
}
assert set(COLOUR) == set(STATUSES), "a status without its terminal colour"


def status_cell(status: str, kind: str = "target", lang: str = "en") -> str:
    colour = COLOUR[status]
    return f"[{colour}]{status_words.SYMBOL[status]} {status_words.word(status, lang, kind)}[/{colour}]"


def render(console: Console, card: Scorecard) -> None:
    geo, lang, data = card.geo, card.lang, card.data
    heading = t("terminal.heading", lang, title=t("app.title", lang), geo=geo)
    if data.latest_year_oldest is None:
        currency = t("sidebar.data_currency_none", lang, built=fmt_date(card.built_at, lang))
    else:
        dates = {
            "updated": fmt_date(data.newest_upstream_update, lang),
            "built": fmt_date(card.built_at, lang),
        }
        currency = t("sidebar.data_currency", lang, first=data.latest_year_oldest,
                     last=data.latest_year_newest, **dates)  # fmt: skip
    console.print(f"[bold]{escape(heading)}[/bold] {escape(currency)}")
    columns = (("indicator", "left"), ("period", "left"), ("geo", "right"), ("eu", "right"),
               ("position", "left"), ("target", "left"), ("progress", "left"))  # fmt: skip
    for obj in card.objectives:
        word = status_cell(obj.status, obj.status_kind, lang)
        evidence = escape(status_words.evidence_short(obj.evidence, lang))
        title = f"{obj.number}. {escape(obj.title)} — {word}" + (f" ({evidence})" if evidence else "")
        table = Table(title=title, title_justify="left")
        for col, just in columns:
            header = geo if col == "geo" else t(f"terminal.col.{col}", lang)
            table.add_column(header, justify=just, overflow="fold")
        for ind in obj.indicators:
            table.add_row(*_row(ind, lang))
        console.print(table)
    counts: dict[str, int] = {}
    for obj in card.objectives:
        word = status_cell(obj.status, obj.status_kind, lang)
        counts[word] = counts.get(word, 0) + 1
    summary = " · ".join(f"{n} {word}" for word, n in counts.items())
    n = len(card.objectives)
    console.print(f"[bold]{escape(t('terminal.summary', lang, count=n, n=n))}[/bold] {summary}")


def _row(ind: IndicatorEntry, lang: str) -> tuple[str, ...]:
    target = ind.target
    if target is None:
        target_cell = t("terminal.direction_only", lang)
    elif target.value is None:
        scope = t(f"target.scope_short.{target.scope}", lang)
        target_cell = t("terminal.target_value_unknown", lang, scope=scope, year=target.year)
    else:
        target_cell = status_words.target_text(ind, lang)
    if ind.data != "available":
        target_cell += " · " + t("terminal.no_data", lang)
    unit = UNITS[ind.unit]
    unit_text = unit.get(lang) + (
        f" · {t('direction.lower_better', lang)}" if ind.direction == "decrease" else ""
    )
    period = ind.latest_period or "–"
    if ind.stale:
        period += f" [dark_orange]{escape(t('terminal.stale', lang))}[/dark_orange]"
    decimals = unit.decimals
    return (
        f"{escape(ind.title)} [dim]({escape(unit_text)})[/dim]", period,
        fmt_number(ind.value, lang, decimals) + (f" {ind.flag}" if ind.flag else ""),
        fmt_number(ind.eu_value, lang, decimals),
        escape(status_words.position_text(ind, lang) or "–"), escape(target_cell),
        status_cell(ind.status, ind.status_kind, lang),
    )  # fmt: skip
