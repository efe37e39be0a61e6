"""Dataset page: a dataset's series for Belgium against the EU aggregate (and any geo), with its table."""

import streamlit as st

from dashboard import charts, queries, state
from dashboard.i18n import fmt_date, t

lang = "en"
version = queries.warehouse_version()
st.title(t("dataset.header", lang))

ds = queries.datasets(version)
ds_ids = [f"{r.source}/{r.dataset}" for r in ds.itertuples()]
titles = {
    f"{r.source}/{r.dataset}": f"{r.dataset} – {r.title}" if isinstance(r.title, str) else r.dataset
    for r in ds.itertuples()
}
default_ds = "eurostat/isoc_ci_in_h" if "eurostat/isoc_ci_in_h" in ds_ids else ds_ids[0]
chosen = state.select(
    t("dataset.choose", lang), ds_ids, key="dataset", default=default_ds, lang=lang, format_func=titles.get
)
source, dataset = chosen.split("/", 1)
meta = ds[(ds["source"] == source) & (ds["dataset"] == dataset)].iloc[0]

all_geos = queries.geos(version, source, dataset)
home = "BE" if "BE" in all_geos else all_geos[0]
keys = queries.series_keys(version, source, dataset, home)
if not keys:
    st.info(t("dataset.no_data", lang))
    st.stop()
label_of = queries.labels(version, source, dataset)


def describe(key: str) -> str:
    parts = [p.split("=", 1) for p in key.split("|") if p]
    return " · ".join(label_of.get((d, c), c) for d, c in parts if d != "freq") or key


skey = state.select(
    t("dataset.series", lang), keys, key="series", default=keys[0], lang=lang, format_func=describe
)
eu = [g for g in queries.EU_AGGREGATES if g in all_geos]
chosen_geos = state.multiselect(
    t("dataset.geos", lang), all_geos, key="geo", default=[home, *eu[:1]], lang=lang,
    format_func=lambda g: label_of.get(("geo", g), g),
)  # fmt: skip

data = queries.series(version, source, dataset, skey, tuple(chosen_geos))
if data.empty or data["value"].notna().sum() == 0:
    st.info(t("dataset.no_data", lang))
    st.stop()

source_line = t(
    "chart.source", lang, attribution=meta["attribution"], updated=fmt_date(meta["upstream_updated"], lang)
)
flags = charts.flags_used(data)
if flags:
    source_line += " " + t("chart.flags", lang, flags=", ".join(t(f"flag.{f}", lang) for f in flags))
fig = charts.trend_chart(
    data,
    title=describe(skey),
    unit=label_of.get(("unit", dict(p.split("=", 1) for p in skey.split("|")).get("unit", "")), ""),
    source_line=source_line,
    highlight=home,
    geo_names={g: label_of.get(("geo", g), g) for g in chosen_geos},
)
st.plotly_chart(fig, width="stretch", key="trend")
st.caption(source_line)
st.subheader(t("dataset.table", lang))
st.dataframe(data, hide_index=True, width="stretch")
