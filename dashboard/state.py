"""URL query parameters ↔ widget state: codes checked against the allowed options; a bad one → visible notice.

Widgets are synced with the URL by hand, not with Streamlit's `bind="query-params"`, which (1.67) writes the
displayed label, not the code, when a format_func is used: links would carry "Sweden" instead of "SE".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard import safe
from dashboard.i18n import t


def _notice(param: str, value: str, lang: str) -> None:
    # The value comes from the URL: shown as typed, never as markdown.
    st.warning(
        t("notice.bad_param", lang, param=safe.md(param, 40), value=safe.md(value, 80)),
        icon=":material/link_off:",
    )


def _sync(key: str, value, default) -> None:
    """The URL holds what differs from the default, so a copied link reopens exactly this view."""
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value


def select(
    label: str,
    options: Sequence[str],
    *,
    key: str,
    default: str,
    lang: str,
    format_func: Callable[[str], str] = str,
    help: str | None = None,
) -> str:
    """A selectbox whose code lives in the URL under `key`; an unknown code falls back with a notice."""
    requested = st.query_params.get(key)
    if requested is not None and requested not in options:
        _notice(key, requested, lang)
        st.session_state[key] = default
    elif requested is not None and key not in st.session_state:
        st.session_state[key] = requested
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    value = st.selectbox(label, options, key=key, format_func=format_func, help=help)
    _sync(key, value, default)
    return value


def multiselect(
    label: str,
    options: Sequence[str],
    *,
    key: str,
    default: Sequence[str],
    lang: str,
    format_func: Callable[[str], str] = str,
) -> list[str]:
    """A multiselect kept in the URL as repeated keys; unknown codes are dropped with a notice."""
    requested = st.query_params.get_all(key)
    bad = [v for v in requested if v not in options]
    if bad:
        _notice(key, ",".join(bad), lang)
        st.session_state[key] = [v for v in requested if v in options] or list(default)
    elif requested and key not in st.session_state:
        st.session_state[key] = list(requested)
    current = st.session_state.get(key)
    if current is None or any(v not in options for v in current):
        st.session_state[key] = [v for v in (current or []) if v in options] or list(default)
    value = st.multiselect(label, options, key=key, format_func=format_func)
    _sync(key, list(value), list(default))
    return value
