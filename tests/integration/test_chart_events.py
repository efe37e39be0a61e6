"""Dated events on the charts (indicators/events.yaml): each objective's charts draw only the events that
concern it, and one event has one number on every chart."""

from __future__ import annotations

import pytest

from indicators.actions import load_events
from pipelines import reports
from pipelines.warehouse import connect_read_only
from presentation import exports, indicator_chart


@pytest.fixture(scope="module")
def drawn(snapshot_warehouse):
    """(objective, indicator) → [(mark, label, day)] of the events the English chart of BE draws."""
    con = connect_read_only(snapshot_warehouse)
    try:
        card = reports.scorecard(con, "BE", "en")
        out = {}
        for obj in card.objectives:
            for entry in obj.indicators:
                ctx = exports.indicator_context(con, entry.id, "BE", "en", card)
                if ctx["values"].empty:
                    continue
                fig = exports.chart_figure(ctx, "BE", "en")
                out[(obj.number, entry.id)] = [tuple(e) for e in (fig.layout.meta or {}).get("events") or []]
    finally:
        con.close()
    return out


def test_each_chart_draws_only_its_objectives_events(drawn):
    events = load_events()
    concerns = {e.date.isoformat(): set(e.objectives) for e in events}
    assert any(drawn.values()), "no chart draws any event"
    for (objective, indicator), marks in drawn.items():
        for _, label, day in marks:
            assert objective in concerns[day], f"{indicator} (objective {objective}) draws {label} of {day}"


def test_events_of_other_objectives_are_left_off(drawn):
    # The ethics committee's royal decree concerns objectives 1 and 9; the AI Factory bid objective 4.
    labels = {k: {label for _, label, _ in v} for k, v in drawn.items()}
    for label, mine in (("Ethics committee (royal decree)", {1, 9}), ("AI Factory bid", {4})):
        assert any(label in v for (o, _), v in labels.items() if o in mine), label
        assert not any(label in v for (o, _), v in labels.items() if o not in mine), label
    # The plan concerns every objective: each chart that draws any event draws it.
    assert all("AI plan" in v for v in labels.values() if v)


def test_one_event_has_one_number_on_every_chart(drawn):
    numbers = {}
    for marks in drawn.values():
        for mark, label, day in marks:
            numbers.setdefault((label, day), set()).add(mark)
    assert numbers and all(len(m) == 1 for m in numbers.values()), numbers
    # The number is the event's place in the whole file, in date order, whatever the chart leaves out.
    order = {e.date.isoformat(): str(i) for i, e in enumerate(load_events(), start=1)}
    assert all(next(iter(m)) == order[day] for (_, day), m in numbers.items())
    assert [e.mark for e in indicator_chart.events("en", 2)] != [
        e.mark for e in indicator_chart.events("en", 1)
    ]
