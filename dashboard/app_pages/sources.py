"""Sources and freshness: every dataset's origin, upstream update and licence; the read log; the gaps."""

import pandas as pd
import streamlit as st

from dashboard import components, queries
from presentation import indicator_chart
from presentation.i18n import DEFAULT_LANG, fmt_date, fmt_datetime, fmt_number, t

lang = components.lang()
v = components.version()
components.data_as_of(v, lang)


def _count(n) -> str:
    return "" if pd.isna(n) else fmt_number(n, lang, 0)


def _blank(value) -> str:
    # An empty cell says nothing, rather than "None" or "nan".
    return "" if value is None or pd.isna(value) else str(value)


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
ds["title"] = ds["title"].map(_blank)
ds["upstream_updated"] = ds["upstream_updated"].map(lambda d: fmt_date(d, lang))
ds["read_at"] = ds["read_at"].map(lambda d: fmt_date(d, lang))
ds["n_obs"] = ds["n_obs"].map(_count)
# The credit line and the licence in the reader's words; the warehouse keeps the English record.
ds["attribution"] = [indicator_chart.attribution(row, lang) for row in ds.to_dict("records")]
ds["licence"] = ds["source"].map(lambda s: t(f"sources.licence.{s}", lang))
columns = ["source", "dataset", "title", "format", "upstream_updated", "read_at", "n_obs", "licence"]
columns += ["attribution", "location"]
headers = {c: t(f"sources.col.{c}", lang) for c in columns}
if lang != DEFAULT_LANG:
    # The publishers' titles in the files we hold are English: the header says so.
    headers["title"] = t("sources.col.title_english", lang)
st.dataframe(ds[columns].rename(columns=headers), hide_index=True, width="stretch")

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
                # Said from the resolution's code, in the reader's words; `aiplan check` gives the details.
                t("sources.col.why", lang): t(
                    f"sources.why.{s.resolution}",
                    lang,
                    dataset=f"{s.spec.source}/{s.spec.dataset}",
                    codes=", ".join(f"{d}={c}" for d, c in s.spec.series.items()),
                ),  # fmt: skip
            }
            for s in gaps
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.write(t("sources.none_missing", lang))

st.subheader(t("sources.fetches", lang))
log = queries.fetches(v).copy()
log["started"] = log["started"].map(lambda d: fmt_datetime(d, lang))
log["upstream_updated"] = log["upstream_updated"].map(lambda d: fmt_date(d, lang) if _blank(d) else "")
log["status"] = log["status"].map(lambda s: t(f"sources.fetch_status.{s}", lang))
for col in ("bytes", "n_obs"):
    log[col] = log[col].map(_count)
log["error"] = log["error"].map(_blank)
log_columns = ["started", "source", "dataset", "location", "format", "status", "bytes", "n_obs"]
log_columns += ["upstream_updated", "error"]
st.dataframe(
    log[log_columns].rename(columns={c: t(f"sources.col.{c}", lang) for c in log_columns}),
    hide_index=True,
    width="stretch",
)
