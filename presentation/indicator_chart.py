"""Scorecard entry + catalogue spec + values → the indicator's trend figure: target, projection, events."""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from indicators.actions import Event as DatedEvent
from indicators.actions import load_events
from indicators.model import Indicator
from indicators.units import UNITS
from indicators.vocabulary import EU27, peers_of
from pipelines.contracts import Card, IndicatorEntry
from presentation import charts
from presentation.i18n import fmt_date, fmt_value, t


@lru_cache(maxsize=1)
def _dated_events() -> tuple[DatedEvent, ...]:
    """indicators/events.yaml, read once per process (validated by `aiplan check`)."""
    return load_events()


def events(lang: str, objective: int | None = None) -> list[charts.Event]:
    """The dated policy events (indicators/events.yaml), numbered in date order over the whole file: the same
    number means the same event on every chart. With `objective`, only the events that concern it."""
    return [
        charts.Event(e.date, e.label.get(lang), str(i))
        for i, e in enumerate(_dated_events(), start=1)
        if objective is None or objective in e.objectives
    ]


def events_line(fig: go.Figure, lang: str) -> str:
    """The key to the numbered event lines of a figure drawn without its own source line ('' if none)."""
    return charts.events_key(fig, t("chart.events_key", lang), lang)


def comparison_geos(geo: str, spec: Indicator) -> list[str]:
    """The geo, the EU aggregate and Belgium with its neighbours (NL, FR, DE, LU); for an indicator of
    Belgium and its regions, those; for a count (not comparable across countries), the geo alone."""
    if spec.geos != "eu27":
        return list(dict.fromkeys([geo, *spec.geos]))
    if not spec.comparable_across_geos:
        return [geo]
    return list(dict.fromkeys([geo, spec.eu_geo, *peers_of(geo)]))


def levels(spec: Indicator, lang: str) -> tuple[charts.Level | None, list[charts.Level]]:
    """The target (labelled EU or Belgian, never confused) and the reference levels, for a chart."""
    unit = UNITS[spec.unit]
    target = None
    tg = spec.target
    if tg:
        scope = t(f"chart.target_scope.{tg.scope}", lang)
        value = fmt_value(tg.value, unit.percent, lang, _decimals(tg.value))
        key = "chart.target" if tg.confidence == "firm" else "chart.reference"
        target = charts.Level(tg.value, t(key, lang, scope=scope, year=tg.year, value=value), tg.year)
    refs = []
    for ref in spec.reference_levels:
        scope = t(f"chart.target_scope.{ref.scope}", lang)
        value = fmt_value(ref.value, unit.percent, lang, _decimals(ref.value))
        key = "chart.reference" if ref.confidence == "to_confirm" else "chart.reference_firm"
        refs.append(charts.Level(ref.value, t(key, lang, scope=scope, value=value), ref.year, False))
    return target, refs


def _decimals(v: float) -> int:
    return 0 if float(v).is_integer() else 1


def projection(
    card: Card | None, geo_name: str, lang: str, limit: float | None = None
) -> charts.Projection | None:
    """The dashed line from the latest value to the target year at the current pace, stopped at a limit.
    None for stale data: a pace measured years ago is not drawn into the future."""
    if not card or card.projected_value is None or card.target_year is None or card.stale:
        return None
    x0, y0, x1, y1 = card.latest_year, card.latest_value, card.target_year, card.projected_value
    if limit is not None and y1 > limit > y0:
        x1, y1 = _year_at(card, limit), limit
    return charts.Projection(x0, y0, x1, y1, t("chart.projection", lang, geo=geo_name))


def _year_at(card: Card, level: float) -> float:
    """When the current pace reaches `level` (compound or linear, as the card's pace)."""
    a, x, t0 = card.actual_rate, card.latest_value, card.latest_year
    if card.pace == "linear":
        return t0 + (level - x) / a
    return t0 + math.log(level / x) / math.log(1 + a)


def source_line(meta: dict, values: pd.DataFrame, lang: str) -> str:
    """Publisher, dataset code and upstream update date, then the flags that appear in the data."""
    line = t(
        "chart.source",
        lang,
        attribution=attribution(meta, lang),
        updated=fmt_date(meta.get("upstream_updated"), lang),
    )
    own = f"{meta.get('source')}/{meta.get('dataset')}"
    if "origin" in values:
        # Years another publisher's record of the same statistic adds: named with their own credit line.
        for origin, part in values[values["origin"].notna() & (values["origin"] != own)].groupby("origin"):
            source, dataset = origin.split("/", 1)
            years = ", ".join(sorted(part["period"].astype(str).unique()))
            credit = attribution({"source": source, "dataset": dataset}, lang)
            line += " " + t("chart.also_from", lang, periods=years, attribution=credit)
    flags = charts.flags_used(values)
    if flags:
        sep = t("chart.flags_sep", lang)
        line += " " + t("chart.flags", lang, flags=sep.join(t(f"flag.{f}", lang) for f in flags))
    return line


def attribution(meta: dict, lang: str) -> str:
    """The publisher's credit line in the reader's language ('Eurostat, isoc_eb_ai (© Union européenne)');
    the warehouse keeps the English one as the record, used when the source has no translated form."""
    source, dataset = meta.get("source"), meta.get("dataset")
    template = t(f"attribution.{source}", lang) if source else ""
    if not source or template == f"attribution.{source}":
        return meta.get("attribution") or ""
    name_key = f"attribution.name.{source}.{dataset}"
    name = t(name_key, lang)
    return template.format(dataset=dataset, name=dataset if name == name_key else name)


def axis_unit(spec: Indicator, lang: str) -> str:
    """The unit as the axis says it, with "(lower is better)" where the indicator should fall."""
    unit = UNITS[spec.unit].get(lang)
    return f"{unit} {t('chart.lower_better', lang)}" if spec.direction == "decrease" else unit


def indicator_figure(
    *,
    entry: IndicatorEntry,
    spec: Indicator,
    values: pd.DataFrame,
    meta: dict,
    geo: str,
    geo_names: dict[str, str],
    lang: str,
    geos: list[str] | None = None,
    height: int = 460,
    framed: bool = True,
    bar_px: int = 22,
    width: int | None = None,
) -> go.Figure:
    """The objective page's chart: geo, EU, neighbours over time; target, projection, events, flags.
    `width`: the width a framed chart is drawn at (its title, legend and source are laid out for it)."""
    geos = geos or comparison_geos(geo, spec)
    shown = values[values["geo"].isin(geos)]
    unit = axis_unit(spec, lang)
    if values["period"].nunique() == 1:
        # One year of data draws no line: rank the member states for that year instead.
        return ranking_figure(entry=entry, spec=spec, values=values, meta=meta, geo=geo, geo_names=geo_names,
                              lang=lang, framed=framed, bar_px=bar_px, width=width)  # fmt: skip
    target, refs = levels(spec, lang)
    fig = charts.trend_chart(
        shown,
        title=entry.title if framed else "",
        unit=unit,
        source_line=source_line(meta, shown, lang) if framed else "",
        highlight=geo,
        geo_names=geo_names,
        target=target,
        references=refs,
        projection=projection(entry.card, geo_names.get(geo, geo), lang, spec.limit),
        events=events(lang, spec.objective),
        height=height,
        series_break=_series_break(spec, lang),
        events_intro=t("chart.events_key", lang),
        lang=lang,
        decimals=UNITS[spec.unit].decimals,
        width=width,
    )
    return fig


def _series_break(spec: Indicator, lang: str) -> charts.Level | None:
    """A definition or method change (`comparable_from`): drawn as a break, never joined into one trend."""
    year = spec.comparable_from
    return charts.Level(float(year), t("chart.break", lang, year=year)) if year else None


def ranking_figure(
    *,
    entry: IndicatorEntry,
    spec: Indicator,
    values: pd.DataFrame,
    meta: dict,
    geo: str,
    geo_names: dict[str, str],
    lang: str,
    framed: bool = True,
    period: str | None = None,
    bar_px: int = 22,
    width: int | None = None,
) -> go.Figure:
    """Member states for one year (the latest by default), `geo` highlighted, the EU value as a line."""
    period = period or values.loc[values["value"].notna(), "period"].max()
    year = values[values["period"] == period]
    members = year[year["geo"].isin(EU27)]
    eu = year[(year["geo"] == spec.eu_geo) & year["value"].notna()]["value"]
    return charts.ranking_chart(
        members,
        title=t("explorer.ranking_title", lang, title=entry.title, year=period) if framed else "",
        unit=axis_unit(spec, lang),
        source_line=source_line(meta, members, lang) if framed else "",
        highlight=geo,
        eu_value=float(eu.iloc[0]) if len(eu) else None,
        eu_label=geo_names.get(spec.eu_geo, ""),
        geo_names=geo_names,
        descending=spec.direction == "increase",
        bar_px=bar_px,
        lang=lang,
        decimals=UNITS[spec.unit].decimals,
        width=width,
    )


def text_summary(
    entry: IndicatorEntry, spec: Indicator, values: pd.DataFrame, geo: str, geo_names: dict, lang: str
) -> str:
    """The chart in one or two sentences, for screen readers and for anyone who prefers text."""
    unit = UNITS[spec.unit]
    mine = values[(values["geo"] == geo) & values["value"].notna()].sort_values("year")
    if mine.empty:
        # Others have figures (the chart shows them): say that this geo has none, not that nobody has.
        return t("chart.summary_no_geo", lang, geo=geo_names.get(geo, geo))
    first, last = mine.iloc[0], mine.iloc[-1]
    eu = values[(values["geo"] == spec.eu_geo) & (values["period"] == last["period"])]["value"]
    eu_text = (
        fmt_value(eu.iloc[0], unit.percent, lang, unit.decimals)
        if len(eu) and pd.notna(eu.iloc[0])
        else t("chart.summary_no_eu", lang)
    )
    tg = spec.target
    if tg:
        target_value = fmt_value(tg.value, unit.percent, lang, _decimals(tg.value))
        target_text = t("chart.summary_target", lang, value=target_value, year=tg.year)
    else:
        target_text = t("chart.summary_no_target", lang)
    name = geo_names.get(geo, geo)
    if first["period"] == last["period"]:
        value = fmt_value(last["value"], unit.percent, lang, unit.decimals)
        return t(
            "chart.summary_single", lang, title=entry.title, unit=unit.get(lang), geo=name,
            value=value, period=last["period"], eu=eu_text, target=target_text,
        )  # fmt: skip
    return t(
        "chart.summary", lang, title=entry.title, unit=unit.get(lang), geo=geo_names.get(geo, geo),
        first_value=fmt_value(first["value"], unit.percent, lang, unit.decimals),
        first_period=first["period"],
        last_value=fmt_value(last["value"], unit.percent, lang, unit.decimals),
        last_period=last["period"],
        eu=eu_text, target=target_text,
    )  # fmt: skip
