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

objs = objectives()
for row in range(0, len(objs), 3):
    # One st.columns per row keeps plan order when a phone stacks the columns.
    for col, obj in zip(st.columns(3), objs[row : row + 3], strict=False):
        with col.container(border=True, height="stretch"):
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
