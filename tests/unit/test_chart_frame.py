"""Chart furniture: the event key lists only the events drawn; a long source line wraps inside the image."""

from __future__ import annotations

from datetime import date

import pandas as pd

from presentation import charts


def _values(last: int) -> pd.DataFrame:
    years = list(range(2019, last + 1))
    return pd.DataFrame({"geo": "BE", "period": [str(y) for y in years], "value": 10.0, "obs_flag": None})


EVENTS = [charts.Event(date(2022, 10, 28), "Plan", "1"), charts.Event(date(2024, 10, 17), "Law", "2")]


def test_an_event_after_the_last_point_is_neither_drawn_nor_keyed():
    fig = charts.trend_chart(_values(2024), title="", unit="u", source_line="", events=EVENTS)
    assert charts.events_key(fig, "Dotted lines:") == "Dotted lines: 1 Plan (2022-10-28)"
    assert len([s for s in fig.layout.shapes if s.line.dash == "dot"]) == 1


def test_a_target_year_further_on_keeps_the_later_event():
    fig = charts.trend_chart(_values(2024), title="", unit="u", source_line="", events=EVENTS,
                             target=charts.Level(20.0, "Target", 2030))  # fmt: skip
    assert "2 Law (2024-10-17)" in charts.events_key(fig, "Dotted lines:")


def test_a_long_source_line_wraps_and_the_margin_grows():
    source = (
        "Source: Eurostat, isoc_cisce_ra (© European Union). " + "Dotted lines: 1 AI plan (2022-10-28) · " * 6
    )
    fig = charts.trend_chart(_values(2024), title="T", unit="u", source_line=source)
    note = next(a for a in fig.layout.annotations if a.text.startswith("Source"))
    lines = note.text.split("<br>")
    assert len(lines) >= 2 and max(len(x) for x in lines) <= charts.SOURCE_LINE_CHARS
    assert fig.layout.margin.b == 170 + charts.SOURCE_LINE_PX * (len(lines) - 1)
