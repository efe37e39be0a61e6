"""Home page: the nine objectives of the plan and what the warehouse holds."""

import streamlit as st

from dashboard import queries
from dashboard.i18n import fmt_date, fmt_number, t
from indicators.catalog import objectives

lang = "en"
version = queries.warehouse_version()
st.title(t("app.title", lang))
st.caption(t("app.tagline", lang))
st.header(t("home.header", lang))
st.write(t("home.intro", lang))

cols = st.columns(3)
for i, obj in enumerate(objectives()):
    with cols[i % 3].container(border=True):
        st.markdown(f"**{obj.number}. {obj.title.get(lang)}**")
        st.caption(obj.description.get(lang))

info = queries.build_info(version)
ds = queries.datasets(version)
st.caption(
    t(
        "home.data_as_of",
        lang,
        n_datasets=len(ds),
        n_obs=fmt_number(info.get("n_obs"), lang, 0),
        built=fmt_date(info.get("built_at"), lang),
    )
)
