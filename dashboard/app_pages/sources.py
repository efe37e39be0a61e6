"""Sources and freshness: every dataset's origin, upstream update and licence; the read log; the gaps."""

import streamlit as st

from dashboard import components, queries
from presentation.i18n import fmt_date, t

lang = components.lang()
v = components.version()
components.data_as_of(v, lang)

st.title(t("sources.header", lang))
st.write(t("sources.intro", lang))
info = queries.build_info(v)
st.caption(
    t(
        "sources.build",
        lang,
        built=fmt_date(info.get("built_at"), lang),
        source=t(f"sources.built_from.{info.get('built_from', 'snapshot')}", lang),
    )
)

st.subheader(t("sources.datasets", lang))
ds = queries.datasets(v).copy()
ds["title"] = ds["title"].fillna("")
ds["upstream_updated"] = ds["upstream_updated"].map(lambda d: fmt_date(d, lang))
ds["read_at"] = ds["read_at"].map(lambda d: fmt_date(d, lang))
columns = ["source", "dataset", "title", "format", "upstream_updated", "read_at", "n_obs", "licence"]
columns += ["attribution", "location"]
st.dataframe(
    ds[columns].rename(columns={c: t(f"sources.col.{c}", lang) for c in columns}),
    hide_index=True,
    width="stretch",
)

st.subheader(t("sources.missing", lang))
gaps = [s for s in queries.indicator_specs(v) if s.resolution != "ok"]
if gaps:
    st.write(t("sources.missing_intro", lang))
    st.info(t("sources.admin", lang), icon=":material/admin_panel_settings:")
    st.dataframe(
        [
            {
                t("sources.col.indicator", lang): s.spec.title.get(lang),
                t("sources.col.objective", lang): s.objective,
                t("sources.col.dataset", lang): f"{s.spec.source}/{s.spec.dataset}",
                t("sources.col.why", lang): s.resolution_msg,
            }
            for s in gaps
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.write(t("sources.none_missing", lang))

st.subheader(t("sources.fetches", lang))
log = queries.fetches(v)
st.dataframe(log, hide_index=True, width="stretch")
