"""(warehouse version, indicator, geo, lang) → the plotly figures every session draws alike, built once.

Building a figure is most of an objective page's script time (plotly validates every property it is given),
and each visitor asking for the same country and language would build the same one again: under load the
sessions queue for the one interpreter. A figure is a pure function of the key, so one copy per process
serves every session. cache_resource (shared object, no pickling) rather than cache_data: unpickling a
plotly figure re-validates it, which costs about what building it does. The figures are only read after
(st.plotly_chart serialises a copy): no caller may change one.

The key is the warehouse version and the codes; the arguments that start with `_` are what the caller has
already read for that key (from queries, cached on the same version), so they are not hashed.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from presentation import charts, indicator_chart


@st.cache_resource(max_entries=512, show_spinner=False)
def indicator_figure(
    version: int, indicator_id: str, geo: str, lang: str, *, _entry, _spec: dict, _values: pd.DataFrame,
    _meta: dict, _names: dict[str, str],
) -> go.Figure:  # fmt: skip
    """An objective page's chart (unframed: its title and source are the text around it)."""
    return indicator_chart.indicator_figure(
        entry=_entry, spec=_spec, values=_values, meta=_meta, geo=geo, geo_names=_names, lang=lang,
        framed=False,
    )  # fmt: skip


@st.cache_resource(max_entries=512, show_spinner=False)
def sparkline(
    version: int, indicator_id: str, geo: str, eu_geo: str, target: float | None, *, _values: pd.DataFrame
) -> go.Figure:
    """A scorecard tile's small trend (no text in it, so the same in every language)."""
    return charts.sparkline(_values, highlight=geo, eu_geo=eu_geo, target=target)
