"""What changed since a date, in the reader's words: the rows of `aiplan changes` (reports.changes) as the
app's "Changes since" page and the pack's first page show them, one line per row, never more or fewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from indicators.units import UNITS
from pipelines import reports
from pipelines.contracts import ChangeRow, Scorecard
from presentation import status
from presentation.i18n import fmt_date, fmt_value, t

COLUMNS = ("indicator", "geo", "kind", "period", "old", "new", "upstream_updated", "seen_at")


@dataclass(frozen=True)
class ChangeLine:
    """One row of reports.changes in words (COLUMNS order), with the row it says."""

    row: ChangeRow
    indicator: str
    geo: str
    kind: str
    period: str
    old: str
    new: str
    upstream_updated: str
    seen_at: str

    def cells(self) -> tuple[str, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


def headers(lang: str) -> tuple[str, ...]:
    return tuple(t(f"changes.col.{c}", lang) for c in COLUMNS)


def lines(rows: list[ChangeRow], card: Scorecard, geo_names: dict[str, str], lang: str) -> list[ChangeLine]:
    """Each row with the indicator's title, the geo's name, the kind as a word, values in the indicator's unit
    and number format (a status as its word), and dates in the reader's format."""
    out = []
    for r in rows:
        entry = card.indicator(r.indicator)
        if r.kind == "status":
            kind = entry.status_kind if entry and entry.status_kind else "target"
            old, new = (status.word(s, lang, kind) if isinstance(s, str) else "" for s in (r.old, r.new))
        else:
            unit = UNITS[entry.unit] if entry else None
            old, new = (
                ""
                if v is None
                else fmt_value(v, unit.percent if unit else False, lang, unit.decimals if unit else 1)
                for v in (r.old, r.new)
            )
        dates = [fmt_date(d, lang) for d in (r.upstream_updated.old, r.upstream_updated.new) if d]
        out.append(
            ChangeLine(
                row=r,
                indicator=entry.title if entry else r.indicator,
                geo=geo_names.get(r.geo, r.geo),
                kind=t(f"changes.kind.{r.kind}", lang),
                period=r.period or "",
                old=old,
                new=new,
                upstream_updated=" → ".join(dates),
                seen_at=fmt_date(r.seen_at, lang),
            )
        )
    return out


def changes_since(
    con: duckdb.DuckDBPyConnection, since: date, geo: str, lang: str, geo_names: dict[str, str]
) -> list[ChangeLine]:
    """The lines of reports.changes(con, since, geo) (the pack's way; the app goes through its cache)."""
    return lines(reports.changes(con, since, geo), reports.scorecard(con, geo, lang), geo_names, lang)
