"""Warehouse (read-only) → the scorecard and indicator series as plain dicts: the CLI's and exports' SQL."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from indicators.vocabulary import EU27, EU_AGGREGATE, HOME, lang_or_default

SCORECARD_VERSION = 3
CURRENCY_KEYS = ("latest_year_oldest", "latest_year_newest", "newest_upstream_update")
TARGET_KEYS = ("value", "year", "scope", "document", "article", "confidence", "note", "commission_row")


def scorecard(con: duckdb.DuckDBPyConnection, geo: str = "BE", lang: str = "en") -> dict:
    """The nine objectives for `geo`, each with its indicators, statuses, evidence and calculation cards."""
    lang = lang_or_default(lang)
    objectives = con.execute(
        f"SELECT o.number, o.id, o.title_{lang} AS title, s.status, s.status_kind, s.mean_score, s.counts, "
        "s.n_without_data, s.n_assessed, s.n_current, s.evidence, s.headline_id, s.headline_status, "
        "s.headline_status_kind "
        "FROM objectives o LEFT JOIN objective_status s ON s.objective = o.number AND s.geo = ? "
        "ORDER BY o.number",
        [geo],
    ).fetchall()
    rows = con.execute(
        "SELECT i.id, i.objective, i.spec, i.series_key, i.resolution, a.status, a.latest_period, "
        "a.latest_value, a.latest_flag, a.eu_value, a.rank, a.n_ranked, a.gap_to_eu, a.best_neighbour, "
        "a.best_neighbour_value, a.card, a.latest_year, a.stale, a.position, a.status_kind, "
        "d.upstream_stated "
        "FROM indicators i LEFT JOIN assessments a ON a.indicator_id = i.id AND a.geo = ? "
        "LEFT JOIN datasets d ON d.source = i.source AND d.dataset = i.dataset "
        "ORDER BY i.objective, NOT i.headline, i.id",
        [geo],
    ).fetchall()
    origins: dict[str, list[str]] = {}
    for iid, origin in con.execute(
        "SELECT DISTINCT indicator_id, origin FROM indicator_values WHERE geo = ? AND value IS NOT NULL "
        "ORDER BY ALL",
        [geo],
    ).fetchall():
        origins.setdefault(iid, []).append(origin)
    by_objective: dict[int, list[dict]] = {}
    for r in rows:
        entry = _indicator_entry(r, lang) | {"origins": origins.get(r[0], [])}
        if not _covers(entry, geo):
            entry["next_release"] = None  # a survey without regional figures brings a region nothing
        by_objective.setdefault(r[1], []).append(entry)
    build = con.execute(
        "SELECT built_at, built_from FROM build_info ORDER BY built_at DESC LIMIT 1"
    ).fetchone()
    currency = data_currency(con)
    return {
        "version": SCORECARD_VERSION,
        "geo": geo,
        "lang": lang,
        "built_at": build[0].isoformat() + "+00:00" if build else None,
        "built_from": build[1] if build else None,
        "data": {k: currency[k] for k in CURRENCY_KEYS},
        "objectives": [
            {
                "number": n, "id": oid, "title": title, "status": status or "insufficient_data",
                "status_kind": kind or "target",
                "mean_score": mean, "counts": json.loads(counts) if counts else None,
                "n_without_data": n_without, "n_assessed": n_assessed, "n_current": n_current or 0,
                "evidence": json.loads(evidence) if evidence else None,
                "headline": ({"id": head_id, "status": head_status, "status_kind": head_kind}
                             if head_id else None),
                "indicators": by_objective.get(n, []),
                "next_release": _first_release(status, by_objective.get(n, [])),
            }
            for (n, oid, title, status, kind, mean, counts, n_without, n_assessed, n_current, evidence,
                 head_id, head_status, head_kind) in objectives
        ],
    }  # fmt: skip


def _indicator_entry(r: tuple, lang: str) -> dict:
    (iid, _obj, spec, series_key, resolution, status, period, value, flag, eu_value, rank, n_ranked, gap_eu,
     best, best_value, card, latest_year, stale, position, kind, upstream) = r  # fmt: skip
    spec = json.loads(spec)
    target = spec.get("target")
    return {
        "id": iid,
        "title": spec["title"].get(lang) or spec["title"]["en"],
        "unit": spec["unit"],
        "direction": spec["direction"],
        "source": spec["source"],
        "dataset": spec["dataset"],
        "codes": spec["series"],
        "series_key": series_key,
        "data": "available" if resolution == "ok" else "not_in_warehouse",
        "upstream_updated": upstream,
        "latest_period": period,
        "latest_year": _year(latest_year),
        "stale": bool(stale),
        "value": value,
        "flag": flag,
        "eu_geo": spec["eu_geo"],
        "eu_value": eu_value,
        "rank": rank,
        "n_ranked": n_ranked,
        "position": position,
        "gap_to_eu": gap_eu,
        "best_neighbour": best,
        "best_neighbour_value": best_value,
        "target": None if target is None else {k: _in(lang, target.get(k)) for k in TARGET_KEYS},
        # Levels drawn for context (Belgian commitments still to be checked, for instance); never a status.
        "reference_levels": [
            {k: r.get(k) for k in ("value", "year", "scope", "document", "confidence")}
            for r in spec.get("reference_levels") or []
        ],
        "direction_only": (spec.get("direction_only") or {}).get("reason"),
        "next_release": _release(spec.get("next_release"), lang),
        "geos": spec.get("geos", "eu27"),
        "notes": [_in(lang, n) for n in spec.get("notes") or []],
        "status_kind": kind or ("target" if target else "direction"),
        "status": status or "insufficient_data",
        "card": json.loads(card) if card else None,
    }  # fmt: skip


def _covers(entry: dict, geo: str) -> bool:
    """Whether the indicator is published for `geo` at all (member states, or its own list of geos)."""
    geos = entry.get("geos", "eu27")
    return (geo in EU27 or geo == entry["eu_geo"]) if geos == "eu27" else geo in geos


def _release(release: dict | None, lang: str) -> dict | None:
    return None if release is None else {**release, "publisher": _in(lang, release["publisher"])}


def _first_release(status: str | None, indicators: list[dict]) -> dict | None:
    """For an objective without a status: the earliest announced release that brings one of its
    indicators without a status a second comparable year (None when the objective has a status)."""
    if status not in (None, "insufficient_data"):
        return None
    waiting = [i["next_release"] for i in indicators
               if i["status"] == "insufficient_data" and i.get("next_release")]  # fmt: skip
    return min(waiting, key=lambda r: r["month"], default=None)


def _year(year: float | None) -> int | float | None:
    """2021.0 → 2021; a quarter's fractional year stays as it is."""
    return int(year) if year is not None and float(year).is_integer() else year


def _in(lang: str, text):
    """A catalogue text given in the three languages → the reader's; other values unchanged."""
    if isinstance(text, dict) and "en" in text:
        return text.get(lang) or text["en"]
    return text


def series(con: duckdb.DuckDBPyConnection, indicator_id: str, geos: list[str] | None = None) -> list[dict]:
    """The indicator's observations in display units: [{geo, period, value, obs_flag, origin}], where origin
    is the source/dataset each value came from."""
    geos = geos or [HOME, EU_AGGREGATE]
    rows = con.execute(
        "SELECT geo, period, value, obs_flag, origin FROM indicator_values WHERE indicator_id = ? "
        "AND list_contains(?, geo) ORDER BY geo, year",
        [indicator_id, geos],
    ).fetchall()
    keys = ("geo", "period", "value", "obs_flag", "origin")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def indicator_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT id FROM indicators ORDER BY id").fetchall()]


# ---------------------------------------------------------------- tables for the dashboard (DataFrames)


def build_info(con: duckdb.DuckDBPyConnection) -> dict:
    row = con.execute(
        "SELECT built_at, built_from, location, n_obs FROM build_info ORDER BY built_at DESC LIMIT 1"
    )
    r = row.fetchone()
    return dict(zip(("built_at", "built_from", "location", "n_obs"), r, strict=True)) if r else {}


def data_currency(con: duckdb.DuckDBPyConnection) -> dict:
    """How current the data are: the oldest and newest of the indicators' latest years, the newest upstream
    update of the datasets shown (the indicators' and the target rows'), and when the warehouse was built:
    three different dates, never one."""
    years = con.execute(
        "SELECT min(y), max(y) FROM (SELECT indicator_id, max(year) AS y FROM indicator_values "
        "WHERE value IS NOT NULL GROUP BY ALL)"
    ).fetchone()
    # The latest instant, shown as its publisher states it (text across offsets never compares).
    newest = con.execute(
        "SELECT d.upstream_stated FROM datasets d WHERE d.upstream_updated IS NOT NULL AND ("
        "EXISTS (SELECT 1 FROM indicators i WHERE i.source = d.source AND i.dataset = d.dataset) OR "
        "(d.source = 'desi' AND d.dataset = 'desi_facts' AND EXISTS (SELECT 1 FROM indicators i "
        "WHERE json_extract(i.spec, '$.target.commission_row') IS NOT NULL))) "
        "ORDER BY d.upstream_updated DESC, d.upstream_stated LIMIT 1"
    ).fetchall()  # fmt: skip
    info = build_info(con)
    return {
        "latest_year_oldest": int(years[0]) if years[0] is not None else None,
        "latest_year_newest": int(years[1]) if years[1] is not None else None,
        "newest_upstream_update": newest[0][0] if newest else None,
        "built_at": info.get("built_at"),
    }


def datasets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT source, dataset, title, format, location, upstream_stated AS upstream_updated, read_at, "
        "n_obs, licence, attribution, notes FROM datasets ORDER BY source, dataset"
    ).df()


def fetches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT started, source, dataset, location, format, status, bytes, n_obs, "
        "upstream_stated AS upstream_updated, error "
        "FROM fetches ORDER BY started DESC, location"
    ).df()


def indicator_specs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every catalogue entry with where its series stands in this warehouse."""
    rows = con.execute(
        "SELECT id, objective, headline, series_key, resolution, resolution_msg, first_period, last_period, "
        "spec FROM indicators ORDER BY objective, NOT headline, id"
    ).fetchall()
    keys = ("id", "objective", "headline", "series_key", "resolution", "resolution_msg", "first_period",
            "last_period")  # fmt: skip
    return [dict(zip(keys, r[:-1], strict=True)) | {"spec": json.loads(r[-1])} for r in rows]


def objectives(con: duckdb.DuckDBPyConnection, lang: str = "en") -> list[dict]:
    lang = lang_or_default(lang)
    rows = con.execute(f"SELECT number, id, title_{lang}, description_{lang} FROM objectives ORDER BY number")
    return [dict(zip(("number", "id", "title", "description"), r, strict=True)) for r in rows.fetchall()]


def indicator_values(
    con: duckdb.DuckDBPyConnection, indicator_id: str, geos: list[str] | None = None
) -> pd.DataFrame:
    """The indicator's series in display units; all geos when `geos` is None."""
    sql = (
        "SELECT geo, period, year, value, obs_flag, conf_flag, origin FROM indicator_values "
        "WHERE indicator_id = ?"
    )
    params: list = [indicator_id]
    if geos is not None:
        sql += " AND list_contains(?, geo)"
        params.append(list(geos))
    return con.execute(sql + " ORDER BY geo, year", params).df()


def dataset_series_keys(con: duckdb.DuckDBPyConnection, source: str, dataset: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT series_key FROM observations WHERE source = ? AND dataset = ? ORDER BY series_key",
        [source, dataset],
    ).fetchall()
    return [r[0] for r in rows]


def series_observations(
    con: duckdb.DuckDBPyConnection, source: str, dataset: str, series_key: str, geos: list[str] | None = None
) -> pd.DataFrame:
    sql = (
        "SELECT geo, period, value, obs_flag, conf_flag FROM observations "
        "WHERE source = ? AND dataset = ? AND series_key = ?"
    )
    params: list = [source, dataset, series_key]
    if geos is not None:
        sql += " AND list_contains(?, geo)"
        params.append(list(geos))
    return con.execute(sql + " ORDER BY geo, period", params).df()


def labels(con: duckdb.DuckDBPyConnection, source: str, dataset: str) -> dict[tuple[str, str], str]:
    """(dimension, code) → English label; the dataset's own labels win over the shared code lists ('*')."""
    rows = con.execute(
        "SELECT dimension, code, label FROM labels WHERE source = ? AND dataset IN (?, '*') AND lang = 'en' "
        "ORDER BY dataset = '*' DESC",
        [source, dataset],
    ).fetchall()
    return {(d, c): lab for d, c, lab in rows}


def geo_names(con: duckdb.DuckDBPyConnection, lang: str = "en") -> dict[str, str]:
    """Geo code → English name, from every payload that carried one; Belgium's regions (NUTS 1) in `lang`
    from Statbel's reference table."""
    rows = con.execute(
        "SELECT code, any_value(label) FROM labels "
        "WHERE dimension = 'geo' AND lang = 'en' AND source = 'eurostat' GROUP BY code"
    ).fetchall()
    column = f"name_{lang if lang in ('en', 'fr', 'nl', 'de') else 'en'}"
    regions = con.execute(
        f"SELECT nuts_lau_code, any_value(coalesce({column}, name_en)) FROM geo_reference "
        "WHERE level = 1 AND nuts_lau_code IS NOT NULL GROUP BY nuts_lau_code"
    ).fetchall()
    return dict(rows) | dict(regions)


def regions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Belgium's regions (NUTS 1 codes) that have values in some indicator."""
    rows = con.execute(
        "SELECT DISTINCT v.geo FROM indicator_values v JOIN geo_reference g ON g.nuts_lau_code = v.geo "
        "WHERE g.level = 1 ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]
