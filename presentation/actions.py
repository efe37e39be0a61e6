"""The plan's action lines and dated events → words, counts, rows and JSON (the app, the CLI and the pack).

An action line's status is never blended into an indicator's: it has its own words and colours, and
`unknown` (no evidence found) is grey, never red.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from indicators.actions import GOVERNANCE, ActionLine, Event, load_actions, load_events
from indicators.vocabulary import ACTION_STATUSES
from presentation.i18n import fmt_date, t

# Streamlit badge colours and text symbols (never colour alone); no red: an unevidenced line is not a failure.
STYLE: dict[str, tuple[str, str, str]] = {
    "done": (":material/task_alt:", "green", "✔"),
    "in_progress": (":material/pending:", "blue", "◐"),
    "not_started": (":material/radio_button_unchecked:", "orange", "○"),
    "superseded": (":material/swap_horiz:", "violet", "→"),
    "dropped": (":material/block:", "gray", "–"),
    "unknown": (":material/help:", "gray", "?"),
}
assert set(STYLE) == set(ACTION_STATUSES), "an action status without its icon, colour or symbol"


@lru_cache(maxsize=1)
def register() -> tuple[ActionLine, ...]:
    """indicators/actions.yaml, read once per process (`aiplan check` validates it, links included)."""
    return load_actions()


@lru_cache(maxsize=1)
def dated_events() -> tuple[Event, ...]:
    return load_events()


def of_objective(lines: Sequence[ActionLine], number: int | str | None) -> list[ActionLine]:
    """The lines of one objective (1-9) or the governance lines ('G'); all for None."""
    if number is None:
        return list(lines)
    return [x for x in lines if x.group == str(number)]


def word(status: str, lang: str) -> str:
    return t(f"action.status.{status}", lang)


def icon(status: str) -> str:
    return STYLE[status][0]


def colour(status: str) -> str:
    return STYLE[status][1]


def symbol(status: str) -> str:
    return STYLE[status][2]


def counts(lines: Iterable[ActionLine]) -> dict[str, int]:
    """Lines by status, in the vocabulary's order, statuses with no line left out."""
    tally = {s: 0 for s in ACTION_STATUSES}
    for line in lines:
        tally[line.status] += 1
    return {s: n for s, n in tally.items() if n}


def counts_text(lines: Sequence[ActionLine], lang: str) -> str:
    """'29 action lines: 3 done · 2 in progress · 24 unknown'; '' for none."""
    if not lines:
        return ""
    parts = " · ".join(
        t("action.count_item", lang, n=n, status=word(s, lang)) for s, n in counts(lines).items()
    )
    return t("action.counts", lang, count=len(lines), n=len(lines), counts=parts)


def group_title(group: str, lang: str, objective_titles: dict[int, str]) -> str:
    """'Objective 1 · Promoting trustworthy AI', or 'Implementation and governance'."""
    if group == GOVERNANCE:
        return t("action.governance", lang)
    number = int(group)
    return t("action.objective", lang, number=number, title=objective_titles.get(number, ""))


def rows(lines: Sequence[ActionLine], lang: str) -> list[dict[str, str]]:
    """One row a line, in the reader's words: id, title, status word, status date, lead, evidence link."""
    out = []
    for line in lines:
        link = line.evidence_link()
        out.append({
            "id": line.id,
            "title": line.title.get(lang),
            "status": line.status,
            "status_word": word(line.status, lang),
            "date": fmt_date(line.status_date, lang) if line.status_date else "",
            "lead": line.lead.get(lang) if line.lead else "",
            "evidence": link.url if link else "",
        })  # fmt: skip
    return out


def as_json(lines: Sequence[ActionLine]) -> list[dict]:
    """Every field of every line, dates in ISO form: what `aiplan actions --json` prints."""
    return [line.model_dump(mode="json") for line in lines]


def event_rows(events: Sequence[Event], lang: str) -> list[dict[str, str]]:
    """The dated events with their chart numbers: number, date, label, objectives, source."""
    return [
        {
            "number": str(i),
            "date": fmt_date(e.date, lang),
            "label": e.label.get(lang),
            "objectives": ", ".join(str(n) for n in e.objectives),
            "source": e.source,
        }
        for i, e in enumerate(events, start=1)
    ]


def render(
    console: Console, lines: Sequence[ActionLine], objective_titles: dict[int, str], lang: str
) -> None:
    """`aiplan actions`: one table a group (objective or governance), its counts as the caption."""
    groups = list(dict.fromkeys(line.group for line in lines))
    for group in groups:
        mine = [x for x in lines if x.group == group]
        table = Table(
            title=escape(group_title(group, lang, objective_titles)),
            caption=escape(counts_text(mine, lang)),
            title_justify="left",
            caption_justify="left",
        )
        for key in ("id", "title", "status", "date", "lead", "evidence"):
            table.add_column(t(f"action.col.{key}", lang), overflow="fold")
        for row in rows(mine, lang):
            table.add_row(
                row["id"], escape(row["title"]), f"{symbol(row['status'])} {escape(row['status_word'])}",
                row["date"], escape(row["lead"]), escape(row["evidence"]),
            )  # fmt: skip
        console.print(table)
