"""Warehouse (read-only) → the scorecard and indicator series as plain dicts: the CLI's and exports' SQL."""

from __future__ import annotations

import json

import duckdb

from indicators.assess import EU27

SCORECARD_VERSION = 1
TARGET_KEYS = ("value", "year", "scope", "document", "article", "confidence")


def scorecard(con: duckdb.DuckDBPyConnection, geo: str = "BE", lang: str = "en") -> dict:
    """The nine objectives for `geo`, each with its indicators, statuses and calculation cards."""
    lang = lang if lang in ("en", "fr", "nl") else "en"
    objectives = con.execute(
        f"SELECT o.number, o.id, o.title_{lang} AS title, s.status, s.mean_score, s.counts, "
        "s.n_without_data, s.n_assessed FROM objectives o "
        "LEFT JOIN objective_status s ON s.objective = o.number AND s.geo = ? ORDER BY o.number",
        [geo],
    ).fetchall()
    rows = con.execute(
        "SELECT i.id, i.objective, i.spec, i.series_key, i.resolution, a.status, a.latest_period, "
        "a.latest_value, a.latest_flag, a.eu_value, a.rank, a.n_ranked, a.gap_to_eu, a.best_neighbour, "
        "a.best_neighbour_value, a.card FROM indicators i "
        "LEFT JOIN assessments a ON a.indicator_id = i.id AND a.geo = ? "
        "ORDER BY i.objective, NOT i.headline, i.id",
        [geo],
    ).fetchall()
    by_objective: dict[int, list[dict]] = {}
    for r in rows:
        by_objective.setdefault(r[1], []).append(_indicator_entry(r, lang))
    build = con.execute(
        "SELECT built_at, built_from FROM build_info ORDER BY built_at DESC LIMIT 1"
    ).fetchone()
    return {
        "version": SCORECARD_VERSION,
        "geo": geo,
        "lang": lang,
        "built_at": build[0].isoformat() if build else None,
        "built_from": build[1] if build else None,
        "objectives": [
            {
                "number": n, "id": oid, "title": title, "status": status or "insufficient_data",
                "mean_score": mean, "counts": json.loads(counts) if counts else None,
                "n_without_data": n_without, "n_assessed": n_assessed,
                "indicators": by_objective.get(n, []),
            }
            for n, oid, title, status, mean, counts, n_without, n_assessed in objectives
        ],
    }  # fmt: skip


def _indicator_entry(r: tuple, lang: str) -> dict:
    (iid, _obj, spec, series_key, resolution, status, period, value, flag, eu_value, rank, n_ranked, gap_eu,
     best, best_value, card) = r  # fmt: skip
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
        "latest_period": period,
        "value": value,
        "flag": flag,
        "eu_geo": spec["eu_geo"],
        "eu_value": eu_value,
        "rank": rank,
        "n_ranked": n_ranked,
        "gap_to_eu": gap_eu,
        "best_neighbour": best,
        "best_neighbour_value": best_value,
        "target": None if target is None else {k: target.get(k) for k in TARGET_KEYS},
        "direction_only": (spec.get("direction_only") or {}).get("reason"),
        "status": status or "insufficient_data",
        "card": json.loads(card) if card else None,
    }  # fmt: skip


def series(con: duckdb.DuckDBPyConnection, indicator_id: str, geos: list[str] | None = None) -> list[dict]:
    """The indicator's observations in display units: [{geo, period, value, obs_flag}]."""
    geos = geos or ["BE", "EU27_2020"]
    rows = con.execute(
        "SELECT geo, period, value, obs_flag FROM indicator_values WHERE indicator_id = ? "
        "AND list_contains(?, geo) ORDER BY geo, year",
        [indicator_id, geos],
    ).fetchall()
    return [{"geo": g, "period": p, "value": v, "obs_flag": f} for g, p, v, f in rows]


def indicator_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT id FROM indicators ORDER BY id").fetchall()]


def member_states() -> tuple[str, ...]:
    return EU27
