"""indicators/actions.yaml and indicators/events.yaml → the plan's action lines and dated events, validated.

Every problem names the file and the key (`indicators/actions.yaml: 1.d.evidence.0.date: ...`), as the
catalogue's do; `aiplan check` reports them all at once.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field

from indicators.catalog import CatalogError, Problem, _load_yaml, _validate
from indicators.model import Translated, _Strict
from indicators.vocabulary import (
    NO_ACTION_STATUS,
    ActionConfidence,
    ActionStatus,
    EvidenceKind,
)

HERE = Path(__file__).resolve().parent
ACTIONS_FILE = HERE / "actions.yaml"
EVENTS_FILE = HERE / "events.yaml"
URL = r"^https?://\S+$"
GOVERNANCE = "G"  # the id prefix of the plan's implementation and governance lines (no objective)


def actions_file() -> Path:
    """The register; AIPLAN_ACTIONS_FILE points elsewhere (tests, a draft register)."""
    return Path(os.environ.get("AIPLAN_ACTIONS_FILE", ACTIONS_FILE))


def events_file() -> Path:
    return Path(os.environ.get("AIPLAN_EVENTS_FILE", EVENTS_FILE))


class Evidence(_Strict):
    url: str = Field(pattern=URL)
    date: date
    kind: EvidenceKind


class ActionLine(_Strict):
    id: str = Field(pattern=r"^([1-9]|G)\.[a-z]+$")
    objective: int | None = Field(default=None, ge=1, le=9)
    title: Translated
    wording: Literal["paraphrase", "plan"] = "paraphrase"
    sources: tuple[str, ...] = Field(min_length=1)
    lead: Translated | None = None
    status: ActionStatus = NO_ACTION_STATUS
    status_date: date | None = None
    evidence: tuple[Evidence, ...] = ()
    indicators: tuple[str, ...] = ()
    confidence: ActionConfidence
    successor: str | None = None
    note: str | None = None

    @property
    def group(self) -> str:
        """'1'…'9', or 'G' for the governance lines."""
        return self.id.split(".", 1)[0]

    def evidence_link(self) -> Evidence | None:
        """The (first) evidence of the status date: the one to link beside the status."""
        return next((e for e in self.evidence if e.date == self.status_date), None)


class Event(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    date: date
    label: Translated
    source: str = Field(pattern=URL)
    objectives: tuple[int, ...] = Field(min_length=1)


def load_actions(path: Path | None = None, indicator_ids: set[str] | None = None) -> tuple[ActionLine, ...]:
    """The register, validated entry by entry and across entries; with `indicator_ids`, links checked."""
    path = path or actions_file()
    file = _shown(path)
    raw = _load_yaml(path)
    if not isinstance(raw, list):
        raise CatalogError([Problem(file, "", "expected a list of action lines")])
    lines: list[ActionLine] = []
    problems: list[Problem] = []
    for i, item in enumerate(raw):
        ident = item.get("id") if isinstance(item, dict) else None
        prefix = f"{ident}." if isinstance(ident, str) and ident else f"[{i}]."
        line, errs = _validate(ActionLine, item, file, prefix=prefix)
        problems += errs
        if line is not None:
            lines.append(line)  # type: ignore[arg-type]
    ids = [x.id for x in lines]
    for line in lines:
        problems += _line_problems(line, file, ids, indicator_ids)
    if problems:
        raise CatalogError(problems)
    return tuple(sorted(lines, key=_order))


def _order(line: ActionLine) -> tuple[int, str]:
    group, letter = line.id.split(".", 1)
    return (10 if group == GOVERNANCE else int(group), letter)


def _line_problems(
    line: ActionLine, file: str, ids: list[str], indicator_ids: set[str] | None
) -> list[Problem]:
    found = [*_status_problems(line), *_link_problems(line, ids, indicator_ids)]
    return [Problem(file, f"{line.id}.{key}", message) for key, message in found]


def _status_problems(line: ActionLine) -> list[tuple[str, str]]:
    """Unknown has no date; every other status has dated evidence and the date of one of them."""
    if line.status == NO_ACTION_STATUS:
        if line.status_date is not None:
            return [("status_date", f"status {NO_ACTION_STATUS!r} has no date (no evidence was found)")]
        return []
    p = []
    if not line.evidence:
        p.append(("evidence", f"status {line.status!r} needs dated evidence (url, date, kind)"))
    if line.status_date is None:
        p.append(("status_date", f"status {line.status!r} needs the date of its evidence"))
    elif line.evidence and line.evidence_link() is None:
        dates = ", ".join(e.date.isoformat() for e in line.evidence)
        p.append(("status_date", f"{line.status_date} is the date of none of its evidence ({dates})"))
    return p


def _link_problems(line: ActionLine, ids: list[str], indicator_ids: set[str] | None) -> list[tuple[str, str]]:
    """Unique id matching its objective; successor only for superseded, and known; indicators known."""
    p = []
    if ids.count(line.id) > 1:
        p.append(("id", f"duplicate id {line.id!r}"))
    if line.group == GOVERNANCE and line.objective is not None:
        p.append(("objective", "a governance line (G.*) belongs to no objective"))
    elif line.group != GOVERNANCE and line.objective != int(line.group):
        p.append(
            ("objective", f"id {line.id!r} names objective {line.group}, the entry says {line.objective}")
        )
    if line.status == "superseded" and not line.successor:
        p.append(("successor", "a superseded line names the line that replaces it"))
    if line.successor is not None and line.status != "superseded":
        p.append(("successor", f"only a superseded line has a successor (status is {line.status!r})"))
    elif line.successor is not None and line.successor not in ids:
        p.append(("successor", f"unknown action line {line.successor!r}"))
    unknown = [
        (j, i) for j, i in enumerate(line.indicators) if indicator_ids is not None and i not in indicator_ids
    ]
    p += [
        (f"indicators.{j}", f"unknown indicator {i!r} (no indicators/catalog/{i}.yaml)") for j, i in unknown
    ]
    return p


def load_events(path: Path | None = None) -> tuple[Event, ...]:
    """The dated events in date order (their numbers on the charts are their positions, from 1)."""
    path = path or events_file()
    file = _shown(path)
    raw = _load_yaml(path)
    if not isinstance(raw, list):
        raise CatalogError([Problem(file, "", "expected a list of events")])
    events: list[Event] = []
    problems: list[Problem] = []
    for i, item in enumerate(raw):
        ident = item.get("id") if isinstance(item, dict) else None
        prefix = f"{ident}." if isinstance(ident, str) and ident else f"[{i}]."
        event, errs = _validate(Event, item, file, prefix=prefix)
        problems += errs
        if event is None:
            continue
        for j, number in enumerate(event.objectives):  # type: ignore[attr-defined]
            if not 1 <= number <= 9:
                problems.append(Problem(file, f"{prefix}objectives.{j}", f"no objective {number} (1 to 9)"))
        if any(e.id == event.id for e in events):  # type: ignore[attr-defined]
            problems.append(Problem(file, f"{prefix}id", "duplicate id"))
        events.append(event)  # type: ignore[arg-type]
    if problems:
        raise CatalogError(problems)
    return tuple(sorted(events, key=lambda e: (e.date, e.id)))


def _shown(path: Path) -> str:
    """The file as a reader of the repository names it: relative to it when inside."""
    try:
        return str(path.resolve().relative_to(HERE.parent))
    except ValueError:
        return str(path)
