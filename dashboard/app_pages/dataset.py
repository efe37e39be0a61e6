"""Dataset browser: any series of any dataset in the warehouse, beyond the catalogue's indicators."""

import streamlit as st

from dashboard import components, queries, state
from indicators.series import parse_key
from presentation import charts, explore, indicator_chart
from presentation.i18n import t

lang = components.lang()
v = components.version()
country = components.geo_selector(v, lang)  # highlighted in the chart
components.data_as_of(v, lang)
names = components.geo_names(v)
st.title(t("dataset.header", lang))

ds = queries.datasets(v)
ids = [f"{r.source}/{r.dataset}" for r in ds.itertuples()]
titles = {f"{r.source}/{r.dataset}": f"{r.dataset} – {r.title}" if isinstance(r.title, str) else r.dataset
          for r in ds.itertuples()}  # fmt: skip
chosen = state.select(
    t("dataset.choose", lang),
    ids,
    key="dataset",
    default="eurostat/isoc_ci_in_h",
    lang=lang,
    format_func=titles.get,
)
source, dataset = chosen.split("/", 1)
labels = queries.labels(v, source, dataset, lang)
keys = queries.dataset_series_keys(v, source, dataset)


def describe(key: str) -> str:
    return " · ".join(labels.get((d, c), c) for d, c in parse_key(key).items() if d != "freq") or key


skey = state.select(
    t("dataset.series", lang), keys, key="series", default=keys[0], lang=lang, format_func=describe
)
values = explore.display_values(queries.series_observations(v, source, dataset, skey))
geos = sorted(values["geo"].unique(), key=lambda g: names.get(g, g))
default = [g for g in (country, "EU27_2020", "EU") if g in geos][:2] or geos[:1]
chosen_geos = state.multiselect(
    t("dataset.geos", lang),
    geos,
    # Not "geo": that key is the country chosen on every page; sharing it would lose the country.
    key="ds_geos",
    default=default,
    lang=lang,
    format_func=lambda g: names.get(g, g),
)
shown = values[values["geo"].isin(chosen_geos)]
if shown["value"].notna().sum() == 0:
    st.info(t("dataset.no_data", lang))
    st.stop()
meta = components.dataset_meta(v, source, dataset)
# Title and source as text around the chart, as in the explorer: inside the figure a long series title
# is cut on a phone and sits under the toolbar.
fig = charts.trend_chart(
    shown,
    title="",
    unit=labels.get(("unit", parse_key(skey).get("unit", "")), ""),
    source_line="",
    highlight=country,
    geo_names=names,
)
charts.localise(fig, lang)
st.subheader(describe(skey))
st.plotly_chart(fig, width="stretch", key="trend")
st.caption(indicator_chart.source_line(meta, shown, lang))
st.subheader(t("dataset.table", lang))
st.dataframe(explore.on_screen(explore.view_table(shown, names), lang), hide_index=True, width="stretch")
