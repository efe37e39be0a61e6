"""Scorecard (contracts.Scorecard) → a readable rich table in the terminal, with a summary line."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from rich.console import Console
from rich.table import Table

from indicators.units import UNITS
from indicators.vocabulary import STATUSES
from pipelines.contracts import IndicatorEntry, Scorecard
from presentation import status as status_words

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


def _num(v: float | None) -> str:
    # Half up, as the app rounds (19.95 → 20.0): Python's format would print 19.9 for the binary 19.949….
    return "–" if v is None else f"{float(Decimal(repr(v)).quantize(Decimal('0.1'), ROUND_HALF_UP)):,.1f}"


def render(console: Console, card: Scorecard) -> None:
    geo, lang, data = card.geo, card.lang, card.data
    updated = data.newest_upstream_update or "not stated"
    console.print(
        f"[bold]AI Plan Monitor – scorecard for {geo}[/bold]: latest data {data.latest_year_oldest}–"
        f"{data.latest_year_newest}, newest publisher update {updated}, "
        f"warehouse built {card.built_at}"
    )
    for obj in card.objectives:
        ev = obj.evidence
        evidence = f"evidence {ev and ev.level}: {ev and ev.n_current} of {ev and ev.n_indicators} current"
        word = status_cell(obj.status, obj.status_kind, lang)
        table = Table(title=f"{obj.number}. {obj.title} — {word} ({evidence})", title_justify="left")
        for col, just in (("indicator", "left"), ("period", "left"), (geo, "right"), ("EU", "right"),
                          ("position", "left"), ("target", "left"), ("progress", "left")):  # fmt: skip
            table.add_column(col, justify=just, overflow="fold")
        for ind in obj.indicators:
            table.add_row(*_row(ind, lang))
        console.print(table)
    counts: dict[str, int] = {}
    for obj in card.objectives:
        word = status_cell(obj.status, obj.status_kind, lang)
        counts[word] = counts.get(word, 0) + 1
    summary = " · ".join(f"{n} {word}" for word, n in counts.items())
    console.print(f"[bold]{len(card.objectives)} objectives:[/bold] {summary}")


def _row(ind: IndicatorEntry, lang: str) -> tuple[str, ...]:
    t = ind.target
    value = "value unknown" if t and t.value is None else f"{t.value:g}" if t else ""
    target = f"{value} by {t.year} ({t.scope.upper()})" if t else "direction only"
    if ind.data != "available":
        target += " · no data yet"
    position = ind.position or "–"
    if ind.rank:
        position += f", rank {ind.rank}/{ind.n_ranked}"
    unit = UNITS[ind.unit].en
    lower = " · lower is better" if ind.direction == "decrease" else ""
    period = (ind.latest_period or "–") + (" [dark_orange](stale)[/dark_orange]" if ind.stale else "")
    return (
        f"{ind.title} [dim]({unit}{lower})[/dim]", period,
        _num(ind.value) + (f" {ind.flag}" if ind.flag else ""), _num(ind.eu_value),
        position, target, status_cell(ind.status, ind.status_kind, lang),
    )  # fmt: skip
