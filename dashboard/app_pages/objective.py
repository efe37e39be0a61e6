"""Objective page: every indicator of one objective, charted against the EU, neighbours and its target."""

import streamlit as st

from dashboard import components, queries, state
from presentation import actions, status
from presentation.i18n import t

lang = components.lang()
v = components.version()
geo = components.geo_selector(v, lang)
components.data_as_of(v, lang)
names = components.geo_names(v)
card = queries.scorecard(v, geo, lang)
by_number = {str(o.number): o for o in card.objectives}

with st.sidebar:
    chosen = state.select(
        t("objective.choose", lang), list(by_number), key="objective", default="1", lang=lang,
        format_func=lambda n: f"{n} · {by_number[n].title}",
    )  # fmt: skip
obj = by_number[chosen]
specs = {s.id: s.spec for s in queries.indicator_specs(v)}

st.title(t("objective.header", lang, number=obj.number, title=obj.title))
st.caption(
    t("scorecard.header", lang, geo=names.get(geo, geo)) + " · " + components.data_currency_text(v, lang)
)
components.status_badge(obj.status, lang, obj.status_kind)
st.caption(t("label.pair", lang, label=t("objective.evidence", lang),
             value=status.evidence_text(obj.evidence, lang)))  # fmt: skip
upcoming = status.next_release_text(obj.next_release, lang, objective=True)
if upcoming:
    st.info(upcoming, icon=":material/event:")
description = next(o["description"] for o in queries.objectives(v, lang) if o["number"] == obj.number)
st.write(description)
st.caption(t("scorecard.counts", lang, counts=status.indicator_counts_text(obj.indicators, lang)))

# The plan's action lines of this objective, beside its indicators and apart from their status: the counts in
# view, the list one click away.
lines = actions.of_objective(actions.register(), obj.number)
if lines:
    st.markdown(f"**{t('action.section', lang)}** · " + components.action_counts_markdown(lines, lang),
                help=t("action.section_help", lang))  # fmt: skip
    with st.expander(t("action.list", lang), icon=":material/checklist:"):
        components.action_lines_table(lines, lang)
else:
    st.caption(t("label.pair", lang, label=t("action.section", lang), value=t("action.none", lang)))

for entry in obj.indicators:
    components.indicator_section(entry, specs[entry.id], geo, v, lang)
