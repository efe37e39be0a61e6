"""indicators/meetings.yaml: validated, errors naming the file and the key; the default "since" day."""

from __future__ import annotations

from datetime import date

import pytest

from aiplan.cli import main
from indicators.catalog import CatalogError
from indicators.meetings import NO_MEETING_LOOKBACK, default_since, load_meetings


def test_the_committed_file_validates():
    load_meetings()


@pytest.mark.parametrize(
    "text, key",
    [
        ("meetings: [{date: 2026-13-01, label: a}]", "meetings.0.date"),
        ("meetings: [{date: 2026-03-01, label: a}, {date: 2026-02-01, label: b}]", "meetings.1.date"),
        ("meetings: [{date: 2026-03-01}]", "meetings.0.label"),
        ("meetings: [{date: 2026-03-01, label: a, room: b}]", "meetings.0.room"),
    ],
)
def test_a_bad_entry_names_the_file_and_the_key(tmp_path, monkeypatch, capsys, text, key):
    path = tmp_path / "meetings.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as exc:
        load_meetings(path)
    assert [(p.file, p.key) for p in exc.value.problems] == [(str(path), key)]
    monkeypatch.setenv("AIPLAN_MEETINGS_FILE", str(path))
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(tmp_path / "none.duckdb"))
    assert main(["check"]) == 2
    assert key in capsys.readouterr().err


def test_the_default_is_the_last_past_meeting(tmp_path):
    path = tmp_path / "meetings.yaml"
    path.write_text("meetings: [{date: 2026-02-01, label: a}, {date: 2026-06-01, label: b}]")
    meetings = load_meetings(path)
    assert default_since(meetings, date(2026, 5, 1)) == date(2026, 2, 1)
    assert default_since(meetings, date(2026, 6, 1)) == date(2026, 6, 1)
    assert default_since((), date(2026, 5, 1)) == date(2026, 5, 1) - NO_MEETING_LOOKBACK
