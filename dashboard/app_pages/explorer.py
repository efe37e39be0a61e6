"""Explorer (analysts): any indicator, countries, breakdowns, period; trend, ranking or table; its CSV."""

import streamlit as st

from dashboard import components, downloads, queries, state
from indicators.model import Indicator
from indicators.units import UNITS
from indicators.vocabulary import EU27
from presentation import charts, data_exports, explore, indicator_chart
from presentation.i18n import t

lang = components.lang()
v = components.version()
country = components.geo_selector(v, lang)  # highlighted in the charts, first among the default countries
components.data_as_of(v, lang)
names = components.geo_names(v)
specs = {s.id: s for s in queries.indicator_specs(v)}


def _title(spec: Indicator) -> str:
    return spec.title.get(lang)


st.title(t("explorer.header", lang))
st.caption(t("explorer.intro", lang))

indicator = state.select(
    t("explorer.indicator", lang),
    list(specs),
    key="indicator",
    default="ai_enterprises",
    lang=lang,
    format_func=lambda i: f"{specs[i].objective} · {_title(specs[i].spec)}",
)
info = specs[indicator]
spec = info.spec
title = _title(spec)
if info.resolution == "no_dataset":
    st.info(t("explorer.no_data", lang), icon=":material/cloud_download:")
    # How to get the figures is for whoever runs the tool, apart from the reader's message.
    st.caption(t("sources.admin", lang))
    st.stop()

keys = queries.dataset_series_keys(v, spec.source, spec.dataset)
labels = queries.labels(v, spec.source, spec.dataset, lang)
# Dimensions and codes in the reader's language where the publisher (or, failing it, we) says them.
words = queries.codes(v, spec.source, spec.dataset, lang)
codes = dict(spec.series)
breakdowns = explore.breakdown_dimensions(spec.series, keys)
if breakdowns:
    st.markdown(f"**{t('explorer.breakdowns', lang)}**")
    cols = st.columns(min(len(breakdowns), 4))
    for i, dim in enumerate(breakdowns):
        options = explore.codes_for(dim, codes, keys)
        with cols[i % len(cols)]:
            codes[dim] = state.select(
                words.dimension(dim),
                options,
                key=f"b_{dim}",
                default=spec.series[dim],
                lang=lang,
                format_func=lambda c, d=dim: words.text(d, c),
            )
series_key = explore.series_key_for(codes, keys)
if series_key is None:
    st.info(t("explorer.no_data", lang))
    st.stop()

if codes == spec.series:
    # The indicator itself: its own series and the years another publisher's record adds (with origin).
    values = queries.indicator_values(v, indicator)
else:
    values = explore.display_values(
        queries.series_observations(v, spec.source, spec.dataset, series_key), spec.multiplier
    )
available = sorted(
    values["geo"].unique(), key=lambda g: (g not in EU27 and not g.startswith("EU"), names.get(g, g))
)
default_geos = [g for g in indicator_chart.comparison_geos(country, spec) if g in available]
geos = state.multiselect(
    t("explorer.geos", lang),
    available,
    key="geos",
    default=default_geos,
    lang=lang,
    format_func=lambda g: names.get(g, g),
)
years = sorted({int(y) for y in values["year"]})
c1, c2, c3 = st.columns([1, 1, 2])
with c1:
    first = int(
        state.select(
            t("explorer.period", lang), [str(y) for y in years], key="from", default=str(years[0]), lang=lang
        )
    )
with c2:
    last = int(state.select("–", [str(y) for y in years], key="to", default=str(years[-1]), lang=lang))
with c3:
    # A ranking of member states only where they compare: not for counts, nor for Belgium and its regions.
    rankable = spec.geos == "eu27" and spec.comparable_across_geos
    view = state.select(
        t("explorer.view", lang),
        ["trend", "ranking", "table"] if rankable else ["trend", "table"],
        key="view",
        # One year of data makes no trend: the ranking is the view that says something.
        default="trend" if len(years) > 1 else "ranking",
        lang=lang,
        format_func=lambda x: t(f"explorer.view.{x}", lang),
    )
first, last = min(first, last), max(first, last)
unit = UNITS[spec.unit]
meta = components.dataset_meta(v, spec.source, spec.dataset)
chart_title = explore.title_with_breakdowns(title, spec.series, codes, labels)

if view == "ranking":
    ranked_years = explore.years_with_members(values)
    if not ranked_years:
        st.info(t("explorer.no_data", lang))
        st.stop()
    year = state.select(
        t("explorer.year", lang), ranked_years, key="year", default=ranked_years[-1], lang=lang
    )
    shown = values[(values["period"] == year) & values["geo"].isin(EU27)]
    eu = values[(values["period"] == year) & (values["geo"] == spec.eu_geo)]["value"].dropna()
    fig = charts.ranking_chart(
        shown,
        title="",
        unit=unit.get(lang),
        source_line="",
        highlight=country,
        eu_value=float(eu.iloc[0]) if len(eu) else None,
        eu_label=names.get(spec.eu_geo, "EU"),
        geo_names=names,
        descending=spec.direction == "increase",
        lang=lang,
    )
    st.subheader(t("explorer.ranking_title", lang, title=chart_title, year=year))
    st.plotly_chart(fig, width="stretch", key="ranking")
else:
    shown = values[values["geo"].isin(geos) & values["year"].between(first, last + 0.99)]
    if shown.empty:
        st.info(t("explorer.no_data", lang))
        st.stop()
    if view == "trend":
        target, refs = indicator_chart.levels(spec, lang) if codes == spec.series else (None, [])
        # Title and source are the text around the chart (subheader, caption): in the figure they would
        # be said twice and sit under the toolbar.
        fig = charts.trend_chart(
            shown,
            title="",
            unit=unit.get(lang),
            source_line="",
            highlight=country,
            geo_names=names,
            target=target,
            references=refs,
        )
        charts.localise(fig, lang)
        st.subheader(chart_title)
        st.plotly_chart(fig, width="stretch", key="trend")
st.caption(indicator_chart.source_line(meta, shown, lang))
table = explore.view_table(shown, names)
st.caption(t("explorer.rows", lang, count=len(table), n=len(table)))
st.dataframe(explore.on_screen(table, lang), hide_index=True, width="stretch")
# The files hold exactly the series shown: its codes as selected (a size class, not the indicator's default),
# the period and countries shown, and the target with the population it is set for.
shown_series = data_exports.make_shown(
    spec=spec,
    entry=queries.scorecard(v, country, lang).indicator(indicator),
    codes=codes,
    values=shown,
    names=words,
    geo_names=names,
    meta=meta,
    built_at=queries.build_info(v).get("built_at"),
    lang=lang,
)
downloads.data_downloads(shown_series, lang, stem=f"{indicator}_{view}_{lang}", key="explorer_dl")
