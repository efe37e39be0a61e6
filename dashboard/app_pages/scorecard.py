"""Scorecard page (ministers): the nine objectives of the plan for one member state, at a glance."""

import streamlit as st

from dashboard import components, downloads, figure_cache, queries
from indicators.units import UNITS
from pipelines.contracts import IndicatorEntry, ObjectiveEntry
from presentation import narrative, status
from presentation.i18n import fmt_value, t

lang = components.lang()
v = components.version()
geo = components.geo_selector(v, lang)
components.data_as_of(v, lang)
names = components.geo_names(v)
card = queries.scorecard(v, geo, lang)

st.title(t("app.title", lang))
st.caption(t("app.tagline", lang))
st.header(t("scorecard.header", lang, geo=names.get(geo, geo)))
# On a phone the sidebar is folded away: the country and the data's dates are said in the page too.
st.caption(components.data_currency_text(v, lang))
st.write(t("scorecard.intro", lang))

objective_statuses = ((o.status, o.status_kind) for o in card.objectives)
st.markdown(f"**{status.counts_text(objective_statuses, lang)}**")
downloads.briefing_download(v, geo, lang)
downloads.pack_downloads(v, geo, lang)


def tile(obj: ObjectiveEntry) -> None:
    with st.container(border=True, height="stretch"):
        st.markdown(f"#### {obj.number} · {obj.title}")
        components.status_badge(obj.status, lang, obj.status_kind)
        st.caption(t("label.pair", lang, label=t("evidence.label", lang),
                     value=status.evidence_text(obj.evidence, lang)))  # fmt: skip
        upcoming = status.next_release_text(obj.next_release, lang, objective=True)
        if upcoming:
            st.caption(f":material/event: {upcoming}")
        head = next((i for i in obj.indicators), None)
        if head is not None:
            title = head.title
            if head.direction == "decrease":
                title += f" — {t('direction.lower_better', lang)}"
            st.markdown(t("label.pair", lang, label=f"**{t('scorecard.headline', lang)}**", value=title))
            components.indicator_badges(head, lang)
            _figures(head)
            if head.target and head.target.note:
                st.caption(head.target.note)  # e.g. the 75 % is for any of three technologies
            st.caption(narrative.objective_sentence(head, geo_name=names.get(geo, geo), lang=lang))
        st.caption(t("scorecard.counts", lang, counts=status.indicator_counts_text(obj.indicators, lang)))
        st.page_link(
            "app_pages/objective.py", label=t("scorecard.open", lang, number=obj.number),
            icon=":material/arrow_forward:",
            query_params={"objective": str(obj.number), "geo": geo, "lang": lang},
        )  # fmt: skip


def _figures(head: IndicatorEntry) -> None:
    unit = UNITS[head.unit]
    if head.value is None:
        st.caption(t("scorecard.no_headline_data", lang))
        return
    # One line of label/value pairs: three columns would stack into a tall column on a phone.
    figures = [
        (t("scorecard.value_label", lang, geo=geo, period=head.latest_period),
         fmt_value(head.value, unit.percent, lang, unit.decimals)),
        (t("scorecard.eu", lang), fmt_value(head.eu_value, unit.percent, lang, unit.decimals)),
        (t("scorecard.target", lang), status.target_text(head, lang)),
    ]  # fmt: skip
    st.markdown(
        " · ".join(t("label.pair", lang, label=label, value=f"**{value}**") for label, value in figures)
    )
    values = queries.indicator_values(v, head.id)
    if values["geo"].eq(geo).sum() > 1:
        target = head.target
        spark = figure_cache.sparkline(
            v, head.id, geo, head.eu_geo, target.value if target else None, _values=values
        )
        st.plotly_chart(spark, width="stretch", key=f"spark_{head.id}", config={"staticPlot": True})
        mine = values[values["geo"] == geo].sort_values("year")
        st.caption(t("scorecard.spark_legend", lang, geo=names.get(geo, geo),
                     first=mine["period"].iloc[0], last=mine["period"].iloc[-1]))  # fmt: skip


for row in range(0, len(card.objectives), 3):
    # One st.columns per row keeps plan order when a phone stacks the columns.
    for col, obj in zip(st.columns(3), card.objectives[row : row + 3], strict=False):
        with col:
            tile(obj)
