"""Dataset browser: any series of any dataset in the warehouse, beyond the catalogue's indicators; its codes
in words, a period, and a download of exactly what is shown."""

import streamlit as st

from dashboard import components, downloads, queries, state
from indicators.series import parse_key
from presentation import charts, explore, indicator_chart
from presentation.data_exports import Shown
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
codes = queries.codes(v, source, dataset, lang)
if source == "statbel":
    # Municipalities, districts and provinces by Statbel's own names; the shared names win for BE, BE1...
    names = queries.statbel_geo_names(v, dataset, lang) | names
keys = queries.dataset_series_keys(v, source, dataset)
skey = state.select(
    t("dataset.series", lang), keys, key="series", default=keys[0], lang=lang, format_func=codes.series
)
unit_code = explore.unit_code(skey)
unit = (codes.label("unit", unit_code) or unit_code) if unit_code else ""
# Shares the publisher writes as fractions (0.539) are shown as percentages (53.9), as the indicators do.
english_unit = queries.codes(v, source, dataset, "en").label("unit", unit_code) or "" if unit_code else ""
multipliers = [s.spec.multiplier for s in queries.indicator_specs(v) if (s.spec.source, s.spec.dataset) == (
    source, dataset)]  # fmt: skip
multiplier = explore.share_multiplier(source, dataset, english_unit, multipliers)
values = explore.display_values(queries.series_observations(v, source, dataset, skey), multiplier)
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
values = values[values["year"].notna()]
years = sorted({int(y) for y in values["year"]})
c1, c2 = st.columns(2)
with c1:
    first = int(state.select(t("dl.dataset.period", lang), [str(y) for y in years], key="ds_from",
                             default=str(years[0]), lang=lang))  # fmt: skip
with c2:
    last = int(state.select("–", [str(y) for y in years], key="ds_to", default=str(years[-1]), lang=lang))
first, last = min(first, last), max(first, last)
shown = values[values["geo"].isin(chosen_geos) & values["year"].between(first, last + 0.99)]
if shown["value"].notna().sum() == 0:
    st.info(t("dataset.no_data", lang))
    st.stop()
meta = components.dataset_meta(v, source, dataset)
if multiplier != 1:
    unit = f"{unit} — {t('dl.meta.share', lang)}"
# Title and source as text around the chart, as in the explorer: inside the figure a long series title
# is cut on a phone and sits under the toolbar.
fig = charts.trend_chart(
    explore.chartable(shown),
    title="",
    unit="%" if multiplier != 1 else unit,
    source_line="",
    highlight=country,
    geo_names=names,
)
charts.localise(fig, lang)
st.subheader(codes.series(skey))
if unit:
    st.caption(t("dl.dataset.unit", lang, unit=unit))
st.plotly_chart(fig, width="stretch", key="trend")
st.caption(indicator_chart.source_line(meta, shown, lang))
st.subheader(t("dataset.table", lang))
table = explore.view_table(shown, names)
st.caption(t("explorer.rows", lang, count=len(table), n=len(table)))
st.dataframe(explore.on_screen(table, lang), hide_index=True, width="stretch")
what = Shown(
    source=source,
    dataset=dataset,
    codes=parse_key(skey),
    values=shown,
    names=codes,
    geo_names=names,
    unit=unit,
    meta=meta,
    built_at=queries.build_info(v).get("built_at"),
    title=codes.series(skey),
)
downloads.data_downloads(what, lang, stem=f"{dataset}_{lang}", key="dataset_dl")
