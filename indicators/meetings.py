"""indicators/meetings.yaml → the steering committee's meeting dates, validated (errors name file and key)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from indicators.catalog import CatalogError, Problem, _validate

MEETINGS_FILE = Path(__file__).resolve().with_name("meetings.yaml")
# Without a recorded meeting, "since the last meeting" starts this far back: the committee meets at least
# three times a year (../shared/docs/plan_actions.md §3).
NO_MEETING_LOOKBACK = timedelta(days=365 // 3)


class Meeting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    label: str = Field(min_length=1)


class Meetings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meetings: list[Meeting]


def meetings_file() -> Path:
    """The meetings file; AIPLAN_MEETINGS_FILE points elsewhere (tests, a draft)."""
    return Path(os.environ.get("AIPLAN_MEETINGS_FILE", MEETINGS_FILE))


def load_meetings(path: Path | None = None) -> tuple[Meeting, ...]:
    """The meetings, oldest first; a bad entry, a duplicate date or a file out of order is an error naming
    the file and the key (meetings.2.date)."""
    path = path or meetings_file()
    try:  # every scalar as text: pydantic reads the dates, so a bad one is an error naming its key
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 (BaseLoader is safe)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError([Problem(str(path), "", f"cannot be read as YAML ({exc})")]) from exc
    model, problems = _validate(Meetings, data, str(path))
    if problems:
        raise CatalogError(problems)
    found = model.meetings
    for i, (a, b) in enumerate(zip(found, found[1:], strict=False), start=1):
        if b.date <= a.date:
            problems.append(Problem(str(path), f"meetings.{i}.date",
                                    f"{b.date} is not after the meeting before it ({a.date}): one entry a "
                                    "meeting, oldest first"))  # fmt: skip
    if problems:
        raise CatalogError(problems)
    return tuple(found)


def last_meeting(meetings: tuple[Meeting, ...], today: date) -> Meeting | None:
    """The last meeting on or before today (a meeting planned later is not yet "the last")."""
    past = [m for m in meetings if m.date <= today]
    return past[-1] if past else None


def default_since(meetings: tuple[Meeting, ...], today: date) -> date:
    """The day changes are counted from by default: the last meeting, else NO_MEETING_LOOKBACK back."""
    last = last_meeting(meetings, today)
    return last.date if last else today - NO_MEETING_LOOKBACK
