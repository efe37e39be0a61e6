"""Tidy series DataFrames → plotly figures in the house style; pure functions shared by app and exports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from indicators.progress import year_of
from indicators.vocabulary import DEFAULT_LANG, LANGS
from presentation import safe, text_width
from presentation.i18n import fmt_date, fmt_number, number_separators, t

# Okabe–Ito: distinguishable with the common colour-vision deficiencies. Sky blue (#56B4E9) is left out:
# next to the highlighted country's blue it would read as the same country.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#000000", "#F0E442"]
HIGHLIGHT = "#0072B2"
EU_COLOUR = "#4D4D4D"
TARGET_COLOUR = "#009E73"
REFERENCE_COLOUR = "#8C6D1F"
EVENT_COLOUR = "#9AA5B1"
EVENT_BACKGROUND = "rgba(255,255,255,0.7)"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


# plotly's `separators` per language: decimal then group mark from CLDR, the marks fmt_number writes.
SEPARATORS = {lang: number_separators(lang) for lang in LANGS}


def localise(fig: go.Figure, lang: str) -> go.Figure:
    """Numbers on axes, in d3 formats and in hover labels with the language's marks (34,5 in French)."""
    fig.update_layout(separators=SEPARATORS.get(lang) or number_separators(DEFAULT_LANG))
    return fig


def d3_number(decimals: int) -> str:
    """The d3 format of a value with `decimals` decimals, grouped; plotly draws it with `separators`."""
    return f",.{max(decimals, 0)}f"


TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#1f2933"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=PALETTE,
        xaxis=dict(showgrid=False, linecolor="#9aa5b1", ticks="outside"),
        yaxis=dict(gridcolor="#e4e7eb", zeroline=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        margin=dict(l=60, r=20, t=80, b=90),
        hoverlabel=dict(font_family=FONT),
    )
)


@dataclass(frozen=True)
class Level:
    """A horizontal level on a chart: a target (with its year) or a reference level."""

    value: float
    label: str
    year: int | None = None
    firm: bool = True


@dataclass(frozen=True)
class Projection:
    from_year: float
    from_value: float
    to_year: float
    to_value: float
    label: str


@dataclass(frozen=True)
class Event:
    """A policy event: a dotted line marked `mark` (a number) above the plot, named in the chart's key."""

    day: date
    label: str
    mark: str = ""


def _decimal_year(d: date) -> float:
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


def geo_order(geos: Sequence[str], highlight: str) -> list[str]:
    """Highlighted geo first, then EU aggregates, then the rest alphabetically: a stable legend."""
    return sorted(set(geos), key=lambda g: (g != highlight, not g.startswith("EU"), g))


def _colour(geo: str, highlight: str, others: list[str]) -> str:
    if geo == highlight:
        return HIGHLIGHT
    if geo.startswith("EU"):
        return EU_COLOUR
    rest = PALETTE[1:]
    return rest[others.index(geo) % len(rest)]


def trend_chart(
    df: pd.DataFrame,
    *,
    title: str,
    unit: str,
    source_line: str,
    highlight: str = "BE",
    geo_names: dict[str, str] | None = None,
    target: Level | None = None,
    references: Sequence[Level] = (),
    projection: Projection | None = None,
    events: Sequence[Event] = (),
    height: int = 460,
    series_break: Level | None = None,
    events_intro: str = "",
    lang: str = DEFAULT_LANG,
    decimals: int = 1,
    width: int | None = None,
) -> go.Figure:
    """One line per geo over time; targets, reference levels, projection and policy events on top.

    `df` has columns geo, period, value, obs_flag. Flags are drawn as text beside their points. A series
    break (`series_break.value` = the first comparable year) cuts every line there: the points on either
    side are never joined, and a labelled vertical line marks it. Numbers are written in `lang` with
    `decimals`; `width` is the width the framed chart is drawn at (its text is laid out for it).
    """
    # Catalogue, message and upstream text becomes inert here, once (plotly renders <a>, <b>, <br>):
    # nothing below escapes again.
    title, unit, source_line = safe.plot(title), safe.plot(unit), safe.plot(source_line)
    geo_names = _inert_names(geo_names)
    target, series_break = _inert_level(target), _inert_level(series_break)
    references = [_inert_level(r) for r in references]
    if projection is not None:
        projection = replace(projection, label=safe.plot(projection.label))
    df = _inert_flags(df)
    events = [
        replace(e, mark=safe.plot(e.mark)) for e in events
    ]  # labels go through events_key, escaped there
    fig = go.Figure()
    order = geo_order(df["geo"].unique(), highlight)
    others = [g for g in order if g != highlight and not g.startswith("EU")]
    cut = series_break.value if series_break is not None else None
    for geo in order:
        part = df[df["geo"] == geo].sort_values("period")
        _add_geo_trace(fig, part, geo, highlight, others, geo_names, cut, decimals)
    years = [year_of(p) for p in df["period"]] or [2020.0]
    x_min, x_max = min(years), max(years)
    if projection is not None:
        _add_projection(fig, projection, decimals)
        x_max = max(x_max, projection.to_year)
    if target is not None:
        x_max = max(x_max, target.year or x_max)
        _add_level(fig, target, TARGET_COLOUR, "dot", x_min, x_max, marker=True)
    for ref in references:
        _add_level(fig, ref, REFERENCE_COLOUR, "dashdot", x_min, x_max, marker=False)
    event_rows = _add_events(fig, events, x_min, x_max)
    if cut is not None and x_min < cut <= x_max:
        fig.add_vline(x=cut - 0.5, line=dict(color="#7B8794", width=2, dash="longdash"))
        # Written along the foot of the plot, right of the line: the event labels hold the top edge.
        fig.add_annotation(x=cut - 0.5, y=0.0, xref="x", yref="paper", text=series_break.label,
                           showarrow=False, xanchor="left", yanchor="bottom", xshift=3,
                           font=dict(size=10, color="#52606d"), bgcolor=EVENT_BACKGROUND)  # fmt: skip
    _time_axis(fig, x_min, x_max)
    fig.update_layout(template=TEMPLATE, height=height, yaxis_title=axis_title(unit))
    fig.update_yaxes(automargin=True)
    key = safe.plot(events_key(fig, events_intro, lang)) if events_intro else ""
    legend = [tr.name for tr in fig.data if tr.showlegend is not False and tr.name]
    _frame(fig, title, f"{source_line} {key}".strip() if source_line and key else source_line,
           width=width or FRAME_WIDTH, legend=legend)  # fmt: skip
    if event_rows:
        top = fig.layout.margin.t if fig.layout.margin.t is not None else TEMPLATE.layout.margin.t
        fig.update_layout(margin=dict(t=top + 4 + EVENT_ROW_PX * event_rows))
    return localise(fig, lang)


# A vertical title longer than this runs past a short chart's plot (the app's, 460 px high): it wraps instead.
AXIS_TITLE_PX, AXIS_TITLE_FONT_PX = 260, 16


def axis_title(text: str, max_px: float = AXIS_TITLE_PX) -> str:
    """An (escaped) unit as an axis title, wrapped onto lines `max_px` long as drawn."""
    return "<br>".join(text_width.wrap(text, AXIS_TITLE_FONT_PX, max_px)) or ""


def _inert_names(names: dict[str, str] | None) -> dict[str, str]:
    return {geo: safe.plot(name) for geo, name in (names or {}).items()}


def _inert_level(level: Level | None) -> Level | None:
    return None if level is None else replace(level, label=safe.plot(level.label))


def _inert_flags(df: pd.DataFrame) -> pd.DataFrame:
    """Flags are upstream text drawn beside points, in hover texts and in bar labels."""
    if "obs_flag" not in df or df.empty:
        return df
    return df.assign(obs_flag=df["obs_flag"].map(lambda f: safe.plot(f) if isinstance(f, str) else f))


# A framed chart (title and source inside it) is laid out for the width it is exported at (exports.WIDTH).
FRAME_WIDTH = 1200
TITLE_FONT_PX, LEGEND_FONT_PX, SOURCE_FONT_PX = 18, 13, 11
# Left margin (the y axis's labels and title, as automargin grows it) and right margin, at most: what a line
# of the title, the legend or the source may not use.
SIDE_MARGINS_PX = 140
TICKS_PX = 34  # under the plot: the tick marks and their labels
X_TITLE_PX = 28  # under those, an x axis title (the ranking's unit)
GAP_PX = 10
# plotly's legend: a row is max(13 px × 1.3, 16) + 3 px; an entry is its symbol (40 px), its text and a
# 5 px gap; the legend has 2 × 5 px of padding.
LEGEND_ROW_PX, LEGEND_SYMBOL_PX, LEGEND_GAP_PX, LEGEND_PAD_PX = 20, 40, 5, 10


def _frame(fig: go.Figure, title: str, source_line: str, *, width: int = FRAME_WIDTH,
           legend: Sequence[str] = (), x_title: bool = False) -> None:  # fmt: skip
    """Title above the plot, then from the foot of the image up: the source note, the legend, the x axis;
    or neither title nor source: the app shows both as text around the chart.

    Every block is measured in the chart's font for `width` (French, Dutch and German words are wider than
    English ones), and the bottom margin is their sum, so the legend never runs into the source note."""
    text_px = width - SIDE_MARGINS_PX
    if title:
        fig.update_layout(
            title=dict(
                text="<br>".join(text_width.wrap(title, TITLE_FONT_PX, text_px)),
                x=0,
                xref="paper",
                xanchor="left",
                y=0.98,
                yref="container",
                yanchor="top",
                automargin=True,
            ),
        )
    if not source_line:
        # Under the plot: above it, the legend would sit on the event labels (or the title) and under the
        # toolbar that a phone shows at the top right.
        legend_under = dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left")
        fig.update_layout(margin=dict(b=40) if title else dict(t=10, b=40), legend=legend_under)
        return
    lines = text_width.wrap(source_line, SOURCE_FONT_PX, text_px) or [""]
    source_px = SOURCE_LINE_PX * len(lines)
    rows = legend_rows(legend, text_px)
    legend_px = rows * LEGEND_ROW_PX + LEGEND_PAD_PX if rows else 0
    bottom = GAP_PX + source_px + GAP_PX + legend_px + TICKS_PX + (X_TITLE_PX if x_title else 0)
    height = fig.layout.height or TEMPLATE.layout.height or 450
    fig.update_layout(
        margin=dict(b=bottom),
        # In pixels from the image's foot (the container), just above the source note.
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=(2 * GAP_PX + source_px) / height,
                    xanchor="left", x=0),
    )  # fmt: skip
    fig.add_annotation(_source_annotation("<br>".join(lines), bottom - GAP_PX - source_px))


def legend_rows(names: Sequence[str], max_px: float) -> int:
    """How many rows plotly's horizontal legend of these entries takes in `max_px`: one if they all fit, else
    columns as wide as the widest entry (plotly's rule), as many as fit in a row."""
    items = [LEGEND_SYMBOL_PX + text_width.width(n, LEGEND_FONT_PX) + 2 for n in names]
    if not items:
        return 0
    if sum(items) + LEGEND_GAP_PX * (len(items) - 1) < max_px:
        return 1
    per_row = max(1, int((max_px + LEGEND_GAP_PX - 1) // (max(items) + LEGEND_GAP_PX)))
    return -(-len(items) // per_row)


def _add_geo_trace(fig, part: pd.DataFrame, geo: str, highlight: str, others: list[str], names: dict,
                   cut: float | None = None, decimals: int = 1) -> None:  # fmt: skip
    # A column of no flags at all is read as floats (NaN): empty text, never "nan" or "None".
    flags = ["" if pd.isna(f) else str(f) for f in part["obs_flag"]]
    periods = part["period"].tolist()
    xs, ys = [year_of(p) for p in periods], part["value"].tolist()
    if cut is not None and any(x < cut for x in xs) and any(x >= cut for x in xs):
        # A gap (None) across the break: plotly does not join lines over it.
        i = next(k for k, x in enumerate(xs) if x >= cut)
        xs, ys = xs[:i] + [None] + xs[i:], ys[:i] + [None] + ys[i:]
        flags, periods = flags[:i] + [""] + flags[i:], periods[:i] + [""] + periods[i:]
    is_eu = geo.startswith("EU")
    # Flags are written beside the chosen country's points only: on every line (the EU's too, often close
    # by) they would print over each other; the others' flags are in the hover text and the data table.
    shown = geo == highlight
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            name=names.get(geo, geo),
            mode="lines+markers+text" if shown else "lines+markers",
            text=flags,
            textposition="top center",
            textfont=dict(size=11),
            line=dict(
                color=_colour(geo, highlight, others),
                width=4 if geo == highlight else 2,
                dash="dash" if is_eu else "solid",
            ),
            marker=dict(size=8 if geo == highlight else 6),
            customdata=list(zip(periods, flags, strict=True)),
            hovertemplate=(
                f"%{{fullData.name}}, %{{customdata[0]}}: %{{y:{d3_number(decimals)}}} %{{customdata[1]}}"
                "<extra></extra>"
            ),
            meta=geo,
        )
    )


def _add_projection(fig: go.Figure, p: Projection, decimals: int = 1) -> None:
    fig.add_trace(
        go.Scatter(
            x=[p.from_year, p.to_year],
            y=[p.from_value, p.to_value],
            name=p.label,
            mode="lines",
            line=dict(color=HIGHLIGHT, width=2, dash="dash"),
            # The name by reference: a label spliced into the template could carry %{…} placeholders.
            hovertemplate=f"%{{x:.0f}}: %{{y:{d3_number(decimals)}}}<extra>%{{fullData.name}}</extra>",
            meta="projection",
        )
    )


def _add_level(fig, level: Level, colour: str, dash: str, x0: float, x1: float, *, marker: bool) -> None:
    fig.add_trace(
        go.Scatter(
            x=[x0, x1],
            y=[level.value, level.value],
            name=level.label,
            mode="lines",
            line=dict(color=colour, width=2, dash=dash),
            hoverinfo="name",
            meta="target" if marker else "reference",
        )
    )
    if marker and level.year is not None:
        fig.add_trace(
            go.Scatter(
                x=[level.year], y=[level.value], mode="markers", showlegend=False,
                marker=dict(symbol="star", size=14, color=colour), hoverinfo="skip", meta="target_marker",
            )
        )  # fmt: skip


EVENT_ROW_PX = 13
# A label's width in years, for sharing rows: about 6 px a character at 10 px, on a plot at least 560 px wide
# (the pack's; the app's are wider, so labels that share a row there never touch).
EVENT_CHAR_PX, EVENT_PLOT_PX = 6.0, 560


def _add_events(fig: go.Figure, events: Sequence[Event], x0: float, x1: float) -> int:
    """Dotted lines at the policy events, each marked by its number above the plot (never over the data, and
    short enough for a phone); the names are in the chart's key (events_key). Marks that would touch go to a
    second row. Returns the number of rows, for the top margin."""
    # Only events within the years drawn: one after the last point would be keyed but fall off the axis.
    shown = sorted((e for e in events if x0 <= _decimal_year(e.day) <= x1), key=lambda e: e.day)
    years_per_px = (x1 - x0 + 1) / EVENT_PLOT_PX
    free_from: list[float] = []  # per row: the first x after the row's last mark
    for e in shown:
        x = _decimal_year(e.day)
        fig.add_vline(x=x, line=dict(color=EVENT_COLOUR, width=1, dash="dot"))
        row = next((r for r, free in enumerate(free_from) if x >= free), len(free_from))
        if row == len(free_from):
            free_from.append(x)
        free_from[row] = x + (len(e.mark) * EVENT_CHAR_PX + 6) * years_per_px
        fig.add_annotation(
            x=x, y=1.0, xref="x", yref="paper", yanchor="bottom", yshift=2 + EVENT_ROW_PX * row,
            text=f"<b>{e.mark}</b>", showarrow=False, xanchor="center",
            font=dict(size=10, color="#52606d"),
        )  # fmt: skip
    fig.layout.meta = {"events": [[e.mark, e.label, e.day.isoformat()] for e in shown]}
    return len(free_from)


def events_key(fig: go.Figure, intro: str, lang: str = DEFAULT_LANG) -> str:
    """'Dotted lines: 1 AI plan (28 October 2022) · 2 Digital Decade (9 January 2023)' for the events drawn,
    dates in `lang`, or ''."""
    drawn = ((fig.layout.meta or {}) if isinstance(fig.layout.meta, dict) else {}).get("events") or []
    if not drawn:
        return ""
    return f"{intro} " + " · ".join(
        f"{mark} {label} ({fmt_date(date.fromisoformat(day), lang)})" for mark, label, day in drawn
    )


def _time_axis(fig: go.Figure, x_min: float, x_max: float) -> None:
    """Whole years; up to a dozen years every year is labelled, beyond that plotly spaces the labels for the
    width it is drawn at (a fixed step would crowd a phone's axis into '1 1 2 2 2')."""
    span = x_max - x_min
    ticks = dict(dtick=1) if span <= 12 else dict(nticks=8)
    fig.update_xaxes(tickformat="d", range=[x_min - 0.5, x_max + 0.5], **ticks)


# A source line's height: 11 px × plotly's 1.3 line spacing, rounded up.
SOURCE_LINE_PX = 15


def _source_annotation(text: str, top_px: float) -> dict:
    # Its top `top_px` under the plot (paper y=0), in the bottom margin under the axis and the legend.
    return dict(
        text=text, xref="paper", yref="paper", x=0, y=0, yshift=-top_px,
        xanchor="left", yanchor="top", showarrow=False, font=dict(size=SOURCE_FONT_PX, color="#52606d"),
        align="left",
    )  # fmt: skip


def ranking_chart(
    df: pd.DataFrame,
    *,
    title: str,
    unit: str,
    source_line: str,
    highlight: str = "BE",
    eu_value: float | None = None,
    eu_label: str = "",
    geo_names: dict[str, str] | None = None,
    descending: bool = True,
    bar_px: int = 22,
    lang: str = DEFAULT_LANG,
    decimals: int = 1,
    width: int | None = None,
) -> go.Figure:
    """Horizontal bars of one year's values by geo, best first; `highlight` coloured; the EU value as a bar
    of its own in its place (a line across the bars would run through their value labels). Values are
    written in `lang` with `decimals`."""
    eu_label = eu_label or t("chart.eu", lang)
    # Inert once, here (see trend_chart).
    title, unit, source_line, eu_label = map(safe.plot, (title, unit, source_line, eu_label))
    geo_names = _inert_names(geo_names)
    data = _inert_flags(df.dropna(subset=["value"])).sort_values("value", ascending=not descending)
    colours = [HIGHLIGHT if g == highlight else "#B8C4CE" for g in data["geo"]]
    hover = f"%{{y}}: %{{x:{d3_number(decimals)}}}<extra></extra>"
    labels = [geo_names.get(g, g) + (f" ({f})" if isinstance(f, str) and f else "")
              for g, f in zip(data["geo"], data["obs_flag"], strict=True)]  # fmt: skip
    fig = go.Figure(
        go.Bar(
            x=data["value"].tolist(), y=labels, orientation="h", marker_color=colours,
            text=[fmt_number(v, lang, decimals) for v in data["value"]], textposition="outside",
            cliponaxis=False, meta=data["geo"].tolist(), hovertemplate=hover,
        )
    )  # fmt: skip
    order = list(labels)
    if eu_value is not None:
        eu_name = f"<b>{eu_label}</b>"
        # Its place among the member states, in the order of the bars.
        better = [v for v in data["value"] if (v > eu_value if descending else v < eu_value)]
        order.insert(len(better), eu_name)
        fig.add_trace(
            go.Bar(
                x=[eu_value], y=[eu_name], orientation="h", marker_color=EU_COLOUR,
                text=[fmt_number(eu_value, lang, decimals)], textposition="outside", cliponaxis=False,
                meta="eu", hovertemplate=hover,
            )
        )  # fmt: skip
    values = [*data["value"].tolist(), *([] if eu_value is None else [eu_value])]
    # The unit wrapped to the plot's width as drawn: a long one ("… (lower is better)") ran off narrow charts.
    xaxis = dict(title=axis_title(unit, (width or FRAME_WIDTH) - 200), automargin=True)
    if values and min(values) >= 0:
        # Room right of the longest bar for its label, which a phone's narrow plot would clip.
        xaxis["range"] = [0, max(values) * 1.15 or 1]
    fig.update_layout(
        template=TEMPLATE,
        height=max(320, bar_px * len(order) + 160),
        barmode="overlay",
        xaxis=xaxis,
        yaxis=dict(
            autorange="reversed", automargin=True, tickfont=dict(size=11 if bar_px >= 18 else 10), dtick=1,
            categoryorder="array", categoryarray=order,
        ),
        showlegend=False,
    )  # fmt: skip
    _frame(fig, title, source_line, width=width or FRAME_WIDTH, x_title=bool(unit))
    if source_line:
        # Framed: every bar keeps bar_px however tall the title and the source note grew the margins.
        margin = fig.layout.margin
        fig.update_layout(height=max(320, bar_px * len(order) + (margin.t or 80) + margin.b + 20))
    return localise(fig, lang)


def sparkline(df: pd.DataFrame, *, highlight: str, eu_geo: str, target: float | None = None) -> go.Figure:
    """A small trend for a scorecard tile: the geo (thick) and the EU (dashed), no axes."""
    fig = go.Figure()
    for geo in (eu_geo, highlight):
        part = df[df["geo"] == geo].sort_values("period")
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=[year_of(p) for p in part["period"]], y=part["value"].tolist(), mode="lines+markers",
                line=_spark_line(geo == highlight),
                marker=dict(size=4), hoverinfo="skip", showlegend=False, meta=geo,
            )
        )  # fmt: skip
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, width=1, dash="dot"))
    fig.update_layout(
        template=TEMPLATE, height=90, margin=dict(l=0, r=0, t=4, b=4),
        xaxis=dict(visible=False), yaxis=dict(visible=False), showlegend=False,
    )  # fmt: skip
    return fig


def _spark_line(is_highlight: bool) -> dict:
    if is_highlight:
        return dict(color=HIGHLIGHT, width=3, dash="solid")
    return dict(color=EU_COLOUR, width=1.5, dash="dash")


def flags_used(df: pd.DataFrame) -> list[str]:
    """Distinct flag codes present in the data: observation flags, then confidentiality."""
    obs = sorted({ch for f in df["obs_flag"].dropna() for ch in str(f)})
    conf = sorted({str(c) for c in df.get("conf_flag", pd.Series(dtype=str)).dropna()})
    return obs + conf
