"""Methodology page: how a status is computed, in plain words, with the thresholds the code uses."""

import streamlit as st

from dashboard import components
from presentation import narrative
from presentation.i18n import t

lang = components.lang()
components.data_as_of(components.version(), lang)

st.title(t("methodology.header", lang))
st.markdown(narrative.method_text(lang))
