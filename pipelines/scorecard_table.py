"""Scorecard dict (reports.scorecard) → a readable rich table in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from indicators.units import UNITS

# Status shown as a word and a symbol, never by colour alone.
STATUS_TEXT = {
    "target_met": ("✔✔", "target met", "green"),
    "on_track": ("✔", "on track", "green"),
    "moderate": ("◐", "moderate progress", "yellow"),
    "insufficient": ("▽", "insufficient progress", "dark_orange"),
    "moving_away": ("✖", "moving away", "red"),
    "insufficient_data": ("?", "not enough data", "grey50"),
}


def status_cell(status: str) -> str:
    symbol, word, colour = STATUS_TEXT[status]
    return f"[{colour}]{symbol} {word}[/{colour}]"


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:,.1f}"


def render(console: Console, card: dict) -> None:
    geo = card["geo"]
    console.print(f"[bold]AI Plan Monitor – scorecard for {geo}[/bold] (warehouse built {card['built_at']})")
    for obj in card["objectives"]:
        table = Table(
            title=f"{obj['number']}. {obj['title']} — {status_cell(obj['status'])}", title_justify="left"
        )
        for col, just in (("indicator", "left"), ("period", "left"), (geo, "right"), ("EU", "right"),
                          ("rank", "right"), ("target", "left"), ("status", "left")):  # fmt: skip
            table.add_column(col, justify=just, overflow="fold")
        for ind in obj["indicators"]:
            t = ind["target"]
            target = f"{t['value']:g} by {t['year']} ({t['scope'].upper()})" if t else "direction only"
            if ind["data"] != "available":
                target += " · no data: run `aiplan refresh`"
            rank = f"{ind['rank']}/{ind['n_ranked']}" if ind["rank"] else "–"
            unit = UNITS[ind["unit"]].en
            table.add_row(
                f"{ind['title']} [dim]({unit})[/dim]", ind["latest_period"] or "–",
                _num(ind["value"]) + (f" {ind['flag']}" if ind["flag"] else ""), _num(ind["eu_value"]),
                rank, target, status_cell(ind["status"]),
            )  # fmt: skip
        console.print(table)
