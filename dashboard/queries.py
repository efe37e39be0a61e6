"""Read-only, cached queries on the warehouse → DataFrames: the app's only SQL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipelines.settings import get_settings
from pipelines.warehouse import connect_read_only

EU_AGGREGATES = ("EU27_2020", "EU")


@st.cache_resource(max_entries=2)
def _connection(path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    # Keyed on the file's mtime: a rebuild (os.replace) gives a new key, hence a fresh connection.
    return connect_read_only(Path(path))


def _query(sql: str, params: list | None = None) -> pd.DataFrame:
    path = get_settings().warehouse
    con = _connection(str(path), path.stat().st_mtime_ns).cursor()
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def warehouse_version() -> int:
    """Part of every cache key, so cached results die with the warehouse they came from."""
    return get_settings().warehouse.stat().st_mtime_ns


@st.cache_data(max_entries=8)
def build_info(version: int) -> dict:
    df = _query("SELECT built_at, built_from, n_obs FROM build_info ORDER BY built_at DESC LIMIT 1")
    return df.iloc[0].to_dict() if len(df) else {}


@st.cache_data(max_entries=8)
def datasets(version: int) -> pd.DataFrame:
    return _query(
        "SELECT source, dataset, title, format, location, upstream_updated, read_at, n_obs, licence, "
        "attribution FROM datasets ORDER BY source, dataset"
    )


@st.cache_data(max_entries=64)
def series_keys(version: int, source: str, dataset: str, geo: str) -> list[str]:
    """Series of a dataset that have at least one value for `geo`, most observations first."""
    df = _query(
        "SELECT series_key FROM observations WHERE source = ? AND dataset = ? AND geo = ? "
        "AND value IS NOT NULL GROUP BY series_key ORDER BY count(*) DESC, series_key",
        [source, dataset, geo],
    )
    return df["series_key"].tolist()


@st.cache_data(max_entries=64)
def geos(version: int, source: str, dataset: str) -> list[str]:
    df = _query(
        "SELECT DISTINCT geo FROM observations WHERE source = ? AND dataset = ? ORDER BY geo",
        [source, dataset],
    )
    return df["geo"].tolist()


@st.cache_data(max_entries=256)
def series(
    version: int, source: str, dataset: str, series_key: str, geo_list: tuple[str, ...]
) -> pd.DataFrame:
    return _query(
        "SELECT geo, period, value, obs_flag, conf_flag FROM observations "
        "WHERE source = ? AND dataset = ? AND series_key = ? AND list_contains(?, geo) ORDER BY geo, period",
        [source, dataset, series_key, list(geo_list)],
    )


@st.cache_data(max_entries=64)
def labels(version: int, source: str, dataset: str) -> dict[tuple[str, str], str]:
    # The dataset's own labels win over the shared code lists (dataset '*').
    df = _query(
        "SELECT dimension, code, label FROM labels WHERE source = ? AND dataset IN (?, '*') AND lang = 'en' "
        "ORDER BY dataset = '*' DESC",
        [source, dataset],
    )
    return {(d, c): lab for d, c, lab in df.itertuples(index=False)}
