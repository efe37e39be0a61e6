"""Chart furniture: the event key lists only the events drawn; source and legend laid out by drawn width;
numbers in the reader's language."""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators.vocabulary import LANGS
from presentation import charts, text_width


def _values(last: int) -> pd.DataFrame:
    years = list(range(2019, last + 1))
    return pd.DataFrame({"geo": "BE", "period": [str(y) for y in years], "value": 10.0, "obs_flag": None})


EVENTS = [charts.Event(date(2022, 10, 28), "Plan", "1"), charts.Event(date(2024, 10, 17), "Law", "2")]


def test_an_event_after_the_last_point_is_neither_drawn_nor_keyed():
    fig = charts.trend_chart(_values(2024), title="", unit="u", source_line="", events=EVENTS)
    assert charts.events_key(fig, "Dotted lines:") == "Dotted lines: 1 Plan (28 October 2022)"
    assert len([s for s in fig.layout.shapes if s.line.dash == "dot"]) == 1


def test_a_target_year_further_on_keeps_the_later_event():
    fig = charts.trend_chart(_values(2024), title="", unit="u", source_line="", events=EVENTS,
                             target=charts.Level(20.0, "Target", 2030))  # fmt: skip
    assert "2 Law (17 October 2024)" in charts.events_key(fig, "Dotted lines:")


def _source_note(fig):
    return next(a for a in fig.layout.annotations if a.text.startswith("Source"))


def test_a_long_source_line_wraps_by_its_drawn_width_and_stays_inside_the_image():
    source = (
        "Source: Eurostat, isoc_cisce_ra (© European Union). " + "Dotted lines: 1 AI plan (2022-10-28) · " * 6
    )
    fig = charts.trend_chart(_values(2024), title="T", unit="u", source_line=source)
    note = _source_note(fig)
    lines = note.text.split("<br>")
    room = charts.FRAME_WIDTH - charts.SIDE_MARGINS_PX
    assert len(lines) >= 2 and all(text_width.width(x, 11) <= room for x in lines)
    # ...and every line lies inside the bottom margin (its top is yshift below the plot), above the foot
    assert -note.yshift + charts.SOURCE_LINE_PX * len(lines) <= fig.layout.margin.b - charts.GAP_PX


def test_the_legend_sits_between_the_axis_labels_and_the_source_note():
    names = {g: f"Synthetic country name number {i}" for i, g in enumerate(["BE", "FR", "NL", "DE", "LU"])}
    df = pd.concat([_values(2024).assign(geo=g) for g in names])
    fig = charts.trend_chart(df, title="T", unit="u", source_line="Source: synthetic " * 30, geo_names=names,
                             height=600)  # fmt: skip
    b, note = fig.layout.margin.b, _source_note(fig)
    source_top = b + note.yshift  # pixels above the image's foot
    legend_bottom = fig.layout.legend.y * 600
    rows = charts.legend_rows(list(names.values()), charts.FRAME_WIDTH - charts.SIDE_MARGINS_PX)
    legend_top = legend_bottom + rows * charts.LEGEND_ROW_PX + charts.LEGEND_PAD_PX
    assert fig.layout.legend.yref == "container" and rows >= 1
    assert source_top < legend_bottom < legend_top <= b - charts.TICKS_PX


def test_legend_rows_follow_the_drawn_width_not_the_character_count():
    # As many characters, drawn twice as wide or more: a character count would give both the same rows.
    narrow, wide = ["il" * 20] * 6, ["WM" * 20] * 6
    assert charts.legend_rows(narrow, 1000) < charts.legend_rows(wide, 1000)
    assert charts.legend_rows(["a", "b"], 1000) == 1 and charts.legend_rows([], 1000) == 0


def test_separators_are_cldr_marks_for_every_language():
    known = {"en": ".,", "fr": ",\u202f", "nl": ",.", "de": ",."}
    for lang in LANGS:
        assert charts.SEPARATORS[lang] == known[lang], lang


def test_ranking_bar_labels_and_eu_bar_in_the_language_with_the_units_decimals():
    df = pd.DataFrame({"geo": ["BE", "FR"], "period": "2023", "value": [1234.5, 2.25], "obs_flag": None})
    fr = charts.ranking_chart(df, title="", unit="u", source_line="", eu_value=3.0, lang="fr", decimals=0)
    assert fr.data[0].text == ("1\u202f235", "2") and fr.data[1].y == ("<b>UE</b>",)
    nl = charts.ranking_chart(df, title="", unit="u", source_line="", lang="nl", decimals=2)
    assert nl.data[0].text == ("1.234,50", "2,25") and nl.layout.separators == ",."
    assert "%{x:,.2f}" in nl.data[0].hovertemplate


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
