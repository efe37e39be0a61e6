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
    # ...and every line lies inside that margin (its top is yshift below the plot), not past the image's edge
    assert -note.yshift + charts.SOURCE_LINE_PX * len(lines) <= fig.layout.margin.b


HOSTILE = '<a href="https://x.example">x</a> & <script>alert(1)</script> %{y}'


def _texts(fig) -> str:
    """Every text plotly renders as pseudo-HTML: trace names, hover templates, point texts, annotations,
    titles."""
    doc = fig.to_plotly_json()
    parts = [str(doc["layout"].get("title", "")), str(doc["layout"].get("yaxis", {}).get("title", "")),
             str(doc["layout"].get("xaxis", {}).get("title", ""))]  # fmt: skip
    parts += [str(a.get("text", "")) for a in doc["layout"].get("annotations", [])]
    for tr in doc["data"]:
        parts += [str(tr.get(k, "")) for k in ("name", "hovertemplate", "text", "y", "customdata")]
    return "\n".join(parts)


def test_hostile_text_is_inert_in_every_part_of_a_trend_chart():
    df = pd.DataFrame({"geo": ["BE", "BE", "FR"], "period": ["2022", "2023", "2023"],
                       "value": [1.0, 2.0, 3.0], "obs_flag": [HOSTILE, None, "p"]})  # fmt: skip
    fig = charts.trend_chart(
        df, title=HOSTILE, unit=HOSTILE, source_line=HOSTILE, geo_names={"BE": HOSTILE, "FR": HOSTILE},
        target=charts.Level(5.0, HOSTILE, 2030), references=[charts.Level(4.0, HOSTILE)],
        projection=charts.Projection(2023, 2.0, 2030, 4.0, HOSTILE),
        series_break=charts.Level(2023.0, HOSTILE),
        events=[charts.Event(date(2022, 10, 28), HOSTILE, "<b>1</b>")], events_intro=HOSTILE,
    )  # fmt: skip
    texts = _texts(fig)
    assert "<script" not in texts and "<a " not in texts and "<b>1</b>" not in texts
    assert "&lt;script&gt;" in texts
    assert "&amp;amp;" not in texts  # escaped once, not twice
    # a label never becomes part of a hover template, where %{y} would be filled in
    assert all(
        HOSTILE not in str(tr.hovertemplate) and "&lt;a" not in str(tr.hovertemplate) for tr in fig.data
    )


def test_hostile_text_is_inert_in_a_ranking():
    df = pd.DataFrame({"geo": ["BE", "FR"], "period": ["2023", "2023"], "value": [1.0, 2.0],
                       "obs_flag": [HOSTILE, None]})  # fmt: skip
    fig = charts.ranking_chart(df, title=HOSTILE, unit=HOSTILE, source_line=HOSTILE, eu_value=1.5,
                               eu_label=HOSTILE, geo_names={"BE": HOSTILE})  # fmt: skip
    texts = _texts(fig)
    assert "<script" not in texts and "<a " not in texts and "&lt;script&gt;" in texts
    assert "&amp;amp;" not in texts
