"""Methodology page: how a status is computed, in plain words, with the thresholds the code uses."""

import streamlit as st

from dashboard import components
from dashboard.i18n import fmt_number, t
from indicators import assess

lang = components.lang()
components.data_as_of(components.version(), lang)

st.title(t("methodology.header", lang))
st.markdown(
    t(
        "methodology.body",
        lang,
        window=5,
        on_track=fmt_number(assess.ON_TRACK_RATIO, lang, 2),
        moderate=fmt_number(assess.MODERATE_RATIO, lang, 2),
        growth=fmt_number(assess.DIRECTION_ONLY_THRESHOLD * 100, lang, 0),
        exponent=fmt_number(assess.LIMIT_EXPONENT, lang, 2),
    )
)
