"""Action lines page: every line of the plan that public sources name, by objective, filtered by status; then
the dated events drawn on the charts."""

import pandas as pd
import streamlit as st

from dashboard import components, queries, state
from indicators.vocabulary import ACTION_STATUSES
from presentation import actions
from presentation.i18n import t

lang = components.lang()
v = components.version()
titles = {o["number"]: o["title"] for o in queries.objectives(v, lang)}
lines = actions.register()

st.title(t("actions.title", lang))
st.write(t("actions.intro", lang))
present = [s for s in ACTION_STATUSES if s in actions.counts(lines)]
chosen = state.multiselect(
    t("actions.filter_status", lang), present, key="action_status", default=present, lang=lang,
    format_func=lambda s: actions.word(s, lang),
)  # fmt: skip
shown = [x for x in lines if x.status in chosen]
st.markdown(components.action_counts_markdown(lines, lang))
st.caption(t("actions.shown", lang, shown=len(shown), total=len(lines)))
for group in dict.fromkeys(x.group for x in shown):
    mine = actions.of_objective(shown, group)
    st.subheader(actions.group_title(group, lang, titles))
    components.action_lines_table(mine, lang)

st.header(t("actions.events", lang))
st.caption(t("actions.events_intro", lang))
events = pd.DataFrame(actions.event_rows(actions.dated_events(), lang))
names = {c: t(f"actions.col.{c}", lang) for c in events.columns}
st.dataframe(
    events.rename(columns=names), hide_index=True, use_container_width=True,
    column_config={names["source"]: st.column_config.LinkColumn(display_text=t("actions.col.source", lang))},
)  # fmt: skip
