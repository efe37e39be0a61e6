"""Cached, read-only access to the warehouse → DataFrames, dicts and contracts (SQL in pipelines.reports)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipelines import reports
from pipelines.contracts import ChangeRow, IndicatorSpec, Scorecard
from pipelines.settings import get_settings
from pipelines.warehouse import connect_read_only, read_cursor
from presentation.codes import Codes

# Every cached function takes `version` (the warehouse file's mtime): a rebuilt warehouse gets fresh entries.


@st.cache_resource(max_entries=2)
def _connection(path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    # A rebuild swaps the file (os.replace), which changes the mtime and so opens a new connection.
    return connect_read_only(Path(path))


def _cursor(version: int) -> duckdb.DuckDBPyConnection:
    # One cursor per call: DuckDB connections are not to be shared across Streamlit's threads.
    return read_cursor(_connection(str(get_settings().warehouse), version))


def warehouse_version() -> int:
    return get_settings().warehouse.stat().st_mtime_ns


def _with(version: int, fn, *args):
    cur = _cursor(version)
    try:
        return fn(cur, *args)
    finally:
        cur.close()


@st.cache_data(max_entries=4)
def build_info(version: int) -> dict:
    return _with(version, reports.build_info)


@st.cache_data(max_entries=4)
def data_currency(version: int) -> dict:
    return _with(version, reports.data_currency)


@st.cache_data(max_entries=4)
def datasets(version: int) -> pd.DataFrame:
    return _with(version, reports.datasets)


@st.cache_data(max_entries=4)
def fetches(version: int) -> pd.DataFrame:
    return _with(version, reports.fetches)


@st.cache_data(max_entries=4)
def indicator_specs(version: int) -> list[IndicatorSpec]:
    return _with(version, reports.indicator_specs)


@st.cache_data(max_entries=12)
def objectives(version: int, lang: str) -> list[dict]:
    return _with(version, reports.objectives, lang)


@st.cache_data(max_entries=96)
def scorecard(version: int, geo: str, lang: str) -> Scorecard:
    return _with(version, reports.scorecard, geo, lang)


@st.cache_data(max_entries=128)
def indicator_values(version: int, indicator_id: str) -> pd.DataFrame:
    """All geos of one indicator (small); pages filter in memory so a country change costs no query."""
    return _with(version, reports.indicator_values, indicator_id, None)


@st.cache_data(max_entries=64)
def dataset_series_keys(version: int, source: str, dataset: str) -> list[str]:
    return _with(version, reports.dataset_series_keys, source, dataset)


@st.cache_data(max_entries=256)
def series_observations(version: int, source: str, dataset: str, series_key: str) -> pd.DataFrame:
    return _with(version, reports.series_observations, source, dataset, series_key, None)


@st.cache_data(max_entries=64)
def labels(version: int, source: str, dataset: str, lang: str = "en") -> dict[tuple[str, str], str]:
    return _with(version, reports.labels, source, dataset, lang)


@st.cache_data(max_entries=8)
def geo_labels(version: int, lang: str = "en") -> dict[str, str]:
    return _with(version, reports.geo_labels, lang)


@st.cache_data(max_entries=4)
def regions(version: int) -> list[str]:
    return _with(version, reports.regions)


@st.cache_data(max_entries=64)
def codes(version: int, source: str, dataset: str, lang: str) -> Codes:
    """The dataset's labels for this reader: the publisher's in `lang`, ours, then its other languages."""
    return Codes(
        lang,
        own=_with(version, reports.labels, source, dataset, lang, False),
        fallback=_with(version, reports.labels, source, dataset, lang),
    )


@st.cache_data(max_entries=16)
def statbel_geo_names(version: int, dataset: str, lang: str) -> dict[str, str]:
    return _with(version, reports.statbel_geo_names, dataset, lang)


@st.cache_data(max_entries=32)
def history_start(version: int) -> date | None:
    return _with(version, reports.history_start)


@st.cache_data(max_entries=16)
def changes(version: int, since: date, geo: str) -> list[ChangeRow]:
    """What changed since a day for a geo: the rows of `aiplan changes --since … --geo …`."""
    return _with(version, reports.changes, since, geo)
