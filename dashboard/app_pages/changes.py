"""Changes since a date (`?since=YYYY-MM-DD`, default the committee's last meeting): the rows of `aiplan
changes`, in the reader's words."""

from datetime import UTC, date, datetime

import streamlit as st

from dashboard import components, queries, state
from indicators.meetings import default_since, last_meeting, load_meetings
from presentation import changes
from presentation.i18n import fmt_date, fmt_number, t

lang = components.lang()
v = components.version()
components.data_as_of(v, lang)
geo = components.geo_selector(v, lang)
names = components.geo_names(v)

today = datetime.now(UTC).date()
meetings = load_meetings()
default = default_since(meetings, today)
KEY = "since"
# The widget's own display order, the reader's: day first in French, Dutch and German.
DATE_FORMAT = {"fr": "DD/MM/YYYY", "nl": "DD-MM-YYYY", "de": "DD.MM.YYYY"}
if KEY not in st.session_state:
    asked = st.query_params.get(KEY)
    chosen = default
    if asked is not None:
        try:
            chosen = date.fromisoformat(asked)
        except ValueError:
            state._notice(KEY, asked, lang)
    st.session_state[KEY] = chosen


def _to_url() -> None:
    state._sync(KEY, st.session_state[KEY].isoformat(), default.isoformat())


st.title(t("changes.header", lang))
st.write(t("changes.intro", lang))
since = st.date_input(
    t("changes.since", lang), key=KEY, max_value=today, format=DATE_FORMAT.get(lang, "YYYY-MM-DD"),
    help=t("changes.since_help", lang), on_change=_to_url,
)  # fmt: skip
last = last_meeting(meetings, today)
if since != default:
    pass  # a day of the reader's choosing (or the link's): the default's reason would only confuse
elif last is not None:
    st.caption(t("changes.last_meeting", lang, label=last.label, date=fmt_date(last.date, lang)))
else:
    st.caption(t("changes.no_meeting", lang, date=fmt_date(default, lang)))

rows = queries.changes(v, since, geo)
where = names.get(geo, geo)
start = queries.history_start(v)
if start is not None and since < start:
    # Said before "nothing changed": the history cannot know what moved before its first build.
    st.warning(t("changes.history_starts", lang, date=fmt_date(start, lang)), icon=":material/history:")
if not rows:
    st.info(t("changes.none", lang, geo=where, date=fmt_date(since, lang)), icon=":material/check:")
    st.stop()
st.subheader(
    t("changes.count", lang, geo=where, date=fmt_date(since, lang), n=fmt_number(len(rows), lang, 0))
)
shown = changes.lines(rows, queries.scorecard(v, geo, lang), names, lang)
st.dataframe(
    [dict(zip(changes.headers(lang), line.cells(), strict=True)) for line in shown],
    hide_index=True,
    width="stretch",
)
