"""Committed snapshot + catalogue → the (source, dimension, code) triples a reader can see (labels needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from indicators.catalog import load_indicators

# Codes that are numbers a reader sees as such (Statbel's age in years), not words to translate.
NUMERIC_DIMENSIONS = {("statbel", "cd_age")}


def codes_in_use(snapshot_dir: Path) -> set[tuple[str, str, str]]:
    """Every code of every series key and geo in the snapshot's data, and every code the catalogue asks for;
    each dimension also needs its own name (dimension 'dimension', code = the dimension)."""
    files = sorted(str(p) for p in snapshot_dir.glob("*/*.parquet") if p.parent.name != "reference")
    found: set[tuple[str, str, str]] = set()
    if files:
        con = duckdb.connect(config={"autoinstall_known_extensions": "false"})
        try:
            con.execute("SET enable_progress_bar = false")
            rows = con.execute(
                """
                WITH s AS (SELECT DISTINCT parse_dirpath(filename) AS path, series_key, geo
                             FROM read_parquet(?, filename = true, union_by_name = true))
                SELECT DISTINCT split_part(path, '/', -1), split_part(kv, '=', 1), split_part(kv, '=', 2)
                  FROM s, unnest(string_split(series_key, '|')) AS t(kv)
                UNION SELECT DISTINCT split_part(path, '/', -1), 'geo', geo FROM s
                """,
                [files],
            ).fetchall()
        finally:
            con.close()
        found |= {(src, dim, code) for src, dim, code in rows if dim and code}
    for ind in load_indicators():
        found |= {(ind.source, dim, code) for dim, code in (ind.series or {}).items()}
    found = {t for t in found if t[:2] not in NUMERIC_DIMENSIONS}
    found |= {(src, "dimension", dim) for src, dim, _ in found if dim != "dimension"}
    return found
