"""URL query parameters ↔ widget state: codes checked against the allowed options; a bad one → visible notice.

Widgets are synced with the URL by hand, not with Streamlit's `bind="query-params"`, which (1.67) writes the
displayed label, not the code, when a format_func is used: links would carry "Sweden" instead of "SE".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from presentation import safe
from presentation.i18n import t


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
    elif isinstance(value, list):
        if st.query_params.get_all(key) != value:
            st.query_params[key] = value
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def _kept(key: str) -> str:
    # Not a widget key: Streamlit drops a widget's state when a page without it runs, and clears the URL on
    # page changes, so the choice itself is kept here and survives every navigation.
    return f"_kept_{key}"


def _remember(key: str, default) -> Callable[[], None]:
    """on_change: the user's choice becomes the kept value and goes into the URL before the page reruns."""

    def callback() -> None:
        value = st.session_state[key]
        st.session_state[_kept(key)] = list(value) if isinstance(value, list) else value
        _sync(key, st.session_state[_kept(key)], default)

    return callback


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
    """A selectbox whose code lives in the URL under `key` and in the session across pages.

    The URL wins when it names a valid code (a link, a typed address, browser back); else the code chosen
    earlier in the session, on any page; else `default`. An unknown code falls back with a notice.
    """
    requested = st.query_params.get(key)
    kept = st.session_state.get(_kept(key))
    if requested is not None and requested not in options:
        _notice(key, requested, lang)
        requested = None
    value = requested if requested is not None else kept if kept in options else default
    st.session_state[_kept(key)] = value
    st.session_state[key] = value  # set before the widget exists in this run: it shows `value`
    chosen = st.selectbox(label, options, key=key, format_func=format_func, help=help,
                          on_change=_remember(key, default))  # fmt: skip
    _sync(key, chosen, default)
    return chosen


def multiselect(
    label: str,
    options: Sequence[str],
    *,
    key: str,
    default: Sequence[str],
    lang: str,
    format_func: Callable[[str], str] = str,
) -> list[str]:
    """A multiselect kept in the URL as repeated keys and in the session; unknown codes are dropped with a
    notice, and the rest kept."""
    requested = st.query_params.get_all(key)
    bad = [v for v in requested if v not in options]
    if bad:
        _notice(key, ",".join(bad), lang)
    good = [v for v in requested if v in options]
    kept = [v for v in (st.session_state.get(_kept(key)) or []) if v in options]
    value = good or (kept if not requested else []) or list(default)
    st.session_state[_kept(key)] = value
    st.session_state[key] = value
    chosen = st.multiselect(label, options, key=key, format_func=format_func,
                            on_change=_remember(key, list(default)))  # fmt: skip
    _sync(key, list(chosen), list(default))
    return list(chosen)
