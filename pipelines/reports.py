"""Warehouse (read-only) → the scorecard and specs as typed contracts, series and tables: read-side SQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

from indicators.model import RESOLVED, Indicator, NextRelease
from indicators.vocabulary import EU27, EU_AGGREGATE, HOME, LANGS, NO_STATUS, lang_or_default
from pipelines.contracts import (
    SCORECARD_VERSION,
    ChangeRow,
    DataCurrency,
    EntryReferenceLevel,
    EntryTarget,
    Headline,
    IndicatorEntry,
    IndicatorSpec,
    ObjectiveEntry,
    Release,
    Scorecard,
    UpstreamDates,
)
from pipelines.upstream_time import instant

CURRENCY_KEYS = ("latest_year_oldest", "latest_year_newest", "newest_upstream_update")


def scorecard(con: duckdb.DuckDBPyConnection, geo: str = "BE", lang: str = "en") -> Scorecard:
    """The nine objectives for `geo`, each with its indicators, statuses, evidence and calculation cards."""
    lang = lang_or_default(lang)
    origins: dict[str, list[str]] = {}
    for iid, origin in con.execute(
        "SELECT DISTINCT indicator_id, origin FROM indicator_values WHERE geo = ? AND value IS NOT NULL "
        "ORDER BY ALL",
        [geo],
    ).fetchall():
        origins.setdefault(iid, []).append(origin)
    by_objective: dict[int, list[IndicatorEntry]] = {}
    for r in _records(con.execute(INDICATOR_ROWS, [geo])):
        by_objective.setdefault(r["objective"], []).append(
            _indicator_entry(r, _spec(r["spec"]), geo, lang, origins.get(r["id"], []))
        )
    build = con.execute(
        "SELECT built_at, built_from FROM build_info ORDER BY built_at DESC LIMIT 1"
    ).fetchone()
    currency = data_currency(con)
    objectives = con.execute(
        f"SELECT o.number, o.id, o.title_{lang} AS title, {OBJECTIVE_COLUMNS} FROM objectives o "
        "LEFT JOIN objective_status s ON s.objective = o.number AND s.geo = ? ORDER BY o.number",
        [geo],
    )
    return Scorecard(
        version=SCORECARD_VERSION,
        geo=geo,
        lang=lang,
        built_at=_built_at(build[0]) if build else None,
        built_from=build[1] if build else None,
        data=DataCurrency(**{k: currency[k] for k in CURRENCY_KEYS}),
        objectives=[_objective_entry(r, by_objective.get(r["number"], [])) for r in _records(objectives)],
    )


# Named columns: each row becomes a dict by column name, and a contract by field name (never by position).
INDICATOR_ROWS = (
    "SELECT i.id, i.objective, i.spec, i.series_key, i.resolution, a.status, a.latest_period, "
    "a.latest_value, a.latest_flag, a.eu_value, a.rank, a.n_ranked, a.gap_to_eu, a.best_neighbour, "
    "a.best_neighbour_value, a.card, a.latest_year, a.stale, a.position, a.status_kind, "
    "d.upstream_stated AS upstream_updated "
    "FROM indicators i LEFT JOIN assessments a ON a.indicator_id = i.id AND a.geo = ? "
    "LEFT JOIN datasets d ON d.source = i.source AND d.dataset = i.dataset "
    "ORDER BY i.objective, NOT i.headline, i.id"
)
OBJECTIVE_COLUMNS = (
    "s.status, s.status_kind, s.mean_score, s.counts, s.n_without_data, s.n_assessed, s.n_current, "
    "s.evidence, s.headline_id, s.headline_status, s.headline_status_kind"
)


def _records(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _spec(text: str) -> Indicator:
    """The catalogue entry as stored (its Commission target values filled in by the build)."""
    return Indicator.model_validate_json(text, context={RESOLVED: True})


def _built_at(built_at: datetime) -> str:
    """The build time (stored naive, in UTC) with its offset."""
    return built_at.isoformat() + "+00:00"


def _upstream_updated(value: str | None) -> str | None:
    """The publisher's last update of a dataset as the JSON says it: the publisher's own text."""
    return value


def _objective_entry(r: dict[str, Any], indicators: list[IndicatorEntry]) -> ObjectiveEntry:
    head = r["headline_id"]
    return ObjectiveEntry(
        number=r["number"], id=r["id"], title=r["title"],
        status=r["status"] or NO_STATUS, status_kind=r["status_kind"] or "target",
        mean_score=r["mean_score"], counts=json.loads(r["counts"]) if r["counts"] else None,
        n_without_data=r["n_without_data"], n_assessed=r["n_assessed"], n_current=r["n_current"] or 0,
        evidence=json.loads(r["evidence"]) if r["evidence"] else None,
        headline=Headline(id=head, status=r["headline_status"], status_kind=r["headline_status_kind"])
        if head else None,
        indicators=indicators,
        next_release=_first_release(r["status"], indicators),
    )  # fmt: skip


def _indicator_entry(
    r: dict[str, Any], spec: Indicator, geo: str, lang: str, origins: list[str]
) -> IndicatorEntry:
    target = spec.target
    return IndicatorEntry(
        id=r["id"], title=spec.title.get(lang), unit=spec.unit, direction=spec.direction,
        source=spec.source, dataset=spec.dataset, codes=spec.series, series_key=r["series_key"],
        data="available" if r["resolution"] == "ok" else "not_in_warehouse",
        upstream_updated=_upstream_updated(r["upstream_updated"]),
        latest_period=r["latest_period"], latest_year=_year(r["latest_year"]), stale=bool(r["stale"]),
        value=r["latest_value"], flag=r["latest_flag"], eu_geo=spec.eu_geo, eu_value=r["eu_value"],
        rank=r["rank"], n_ranked=r["n_ranked"], position=r["position"], gap_to_eu=r["gap_to_eu"],
        best_neighbour=r["best_neighbour"], best_neighbour_value=r["best_neighbour_value"],
        target=None if target is None else EntryTarget(
            value=target.value, year=target.year, scope=target.scope, document=target.document.get(lang),
            article=target.article, confidence=target.confidence,
            note=target.note.get(lang) if target.note else None, commission_row=target.commission_row,
        ),
        # Levels drawn for context (Belgian commitments still to be checked, for instance); never a status.
        reference_levels=[
            EntryReferenceLevel(value=x.value, year=x.year, scope=x.scope, document=x.document.get(lang),
                                confidence=x.confidence)
            for x in spec.reference_levels
        ],
        direction_only=spec.direction_only.reason if spec.direction_only else None,
        # A survey without regional figures brings a region nothing.
        next_release=_release(spec.next_release, lang) if _covers(spec, geo) else None,
        geos=spec.geos, notes=[n.get(lang) for n in spec.notes],
        status_kind=r["status_kind"] or ("target" if target else "direction"),
        status=r["status"] or NO_STATUS,
        card=json.loads(r["card"]) if r["card"] else None,
        origins=origins,
    )  # fmt: skip


def _covers(spec: Indicator, geo: str) -> bool:
    """Whether the indicator is published for `geo` at all (member states, or its own list of geos)."""
    return (geo in EU27 or geo == spec.eu_geo) if spec.geos == "eu27" else geo in spec.geos


def _release(release: NextRelease | None, lang: str) -> Release | None:
    if release is None:
        return None
    return Release(data_year=release.data_year, month=release.month, publisher=release.publisher.get(lang),
                   basis=release.basis, confidence=release.confidence)  # fmt: skip


def _first_release(status: str | None, indicators: list[IndicatorEntry]) -> Release | None:
    """For an objective without a status: the earliest announced release that brings one of its
    indicators without a status a second comparable year (None when the objective has a status)."""
    if status not in (None, NO_STATUS):
        return None
    waiting = [i.next_release for i in indicators if i.status == NO_STATUS and i.next_release]
    return min(waiting, key=lambda r: r.month, default=None)


def _year(year: float | None) -> int | float | None:
    """2021.0 → 2021; a quarter's fractional year stays as it is."""
    return int(year) if year is not None and float(year).is_integer() else year


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


def indicator_specs(con: duckdb.DuckDBPyConnection) -> list[IndicatorSpec]:
    """Every catalogue entry with where its series stands in this warehouse."""
    rows = con.execute(
        "SELECT id, objective, headline, series_key, resolution, resolution_msg, first_period, last_period, "
        "spec FROM indicators ORDER BY objective, NOT headline, id"
    )
    return [
        IndicatorSpec.model_validate(r | {"spec": json.loads(r["spec"])}, context={RESOLVED: True})
        for r in _records(rows)
    ]


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


def label(con: duckdb.DuckDBPyConnection, source: str, dimension: str, code: str, lang: str = "en") -> str:
    """One code's label in `lang` (English, then any language, when `lang` has none); the code itself when no
    label exists at all."""
    row = con.execute(
        "SELECT label FROM labels WHERE source = ? AND dimension = ? AND code = ? AND label IS NOT NULL "
        "ORDER BY lang = ? DESC, lang = 'en' DESC, dataset = '*' DESC, lang LIMIT 1",
        [source, dimension, code, lang],
    ).fetchone()
    return row[0] if row else code


def geo_labels(con: duckdb.DuckDBPyConnection, lang: str = "en") -> dict[str, str]:
    """Geo code → name in `lang` where Eurostat's code list gives one, else English, from every payload that
    carried one; Belgium's regions (NUTS 1) in `lang` from Statbel's reference table."""
    rows = con.execute(
        "SELECT code, arg_max(label, (lang = ?, lang = 'en', dataset = '*')) FROM labels "
        "WHERE dimension = 'geo' AND lang IN (?, 'en') AND source = 'eurostat' GROUP BY code",
        [lang, lang],
    ).fetchall()
    column = f"name_{lang_or_default(lang)}"  # every language of LANGS has its column
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


def labels(
    con: duckdb.DuckDBPyConnection, source: str, dataset: str, lang: str = "en", fallback: bool = True
) -> dict[tuple[str, str], str]:
    """(dimension, code) → label in `lang`, else English, else the publisher's other languages (Statbel
    labels some codes in French and Dutch only); in one language, the dataset's own labels win over the shared
    lists ('*'), and a label in a wanted language wins over one in a language further down the list.
    Without `fallback`: the labels in `lang` only."""
    lang = lang_or_default(lang)
    order = list(dict.fromkeys([lang, "en", *LANGS])) if fallback else [lang]
    rows = con.execute(
        "SELECT dimension, code, label FROM labels WHERE source = ? AND dataset IN (?, '*') "
        "AND list_contains(?, lang) AND label IS NOT NULL "
        # Later rows win: the least wanted language first, and in one language the shared lists first.
        "ORDER BY list_position(?, lang) DESC, dataset <> '*'",
        [source, dataset, order, order],
    ).fetchall()
    return {(d, c): lab for d, c, lab in rows}


def statbel_geo_names(con: duckdb.DuckDBPyConnection, dataset: str, lang: str = "en") -> dict[str, str]:
    """Statbel geo code (REFNIS, NUTS) → Statbel's own name in `lang`, else in French or Dutch (Statbel
    names its municipalities in those two; German where it gives it)."""
    order = list(dict.fromkeys([lang_or_default(lang), "fr", "nl", "de", "en"]))
    rows = con.execute(
        "SELECT code, name FROM statbel_geo_names WHERE dataset = ? AND list_contains(?, lang) "
        "ORDER BY list_position(?, lang) DESC",
        [dataset, order, order],
    ).fetchall()
    return dict(rows)


# ---------------------------------------------------------------- what changed since a date


def history_start(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day this warehouse's history begins (its first recorded build): what changed before it is unknown
    here, since a snapshot build is the baseline, not a change."""
    row = con.execute("SELECT min(built_at) FROM assessment_history").fetchone()
    return row[0].date() if row and row[0] is not None else None


def changes(con: duckdb.DuckDBPyConnection, since: date, geo: str | None = HOME) -> list[ChangeRow]:
    """New observations, revised values and status changes of the indicators' series seen on or after the
    day `since` (from midnight Brussels time), for one geo or (None) every geo.

    New values come from observation_added, revisions (old → new, both upstream dates) from
    observation_history, status changes from assessment_history (a build whose status for an indicator and
    geo differs from the build before it). Values are in the indicator's display unit."""
    multipliers: dict[str, float] = {}
    rows = []
    start = instant(since.isoformat()).astimezone(UTC).replace(tzinfo=None)  # the warehouse's times: UTC
    for r in _records(con.execute(CHANGE_ROWS, {"since": start, "geo": geo})):
        if r["kind"] == "status":
            r["old"], r["new"] = r["old_status"], r["new_status"]
        else:
            if r["indicator"] not in multipliers:
                multipliers[r["indicator"]] = _spec(r["spec"]).multiplier
            m = multipliers[r["indicator"]]
            r["old"], r["new"] = (
                None if v is None else round(v * m, 9) for v in (r["old_value"], r["new_value"])
            )
        rows.append(
            ChangeRow(
                **{k: r[k] for k in ("indicator", "geo", "kind", "period", "old", "new")},
                upstream_updated=UpstreamDates(old=r["old_upstream"], new=r["new_upstream"]),
                seen_at=_built_at(r["seen_at"]),
            )
        )
    return rows


# An indicator's series is (source, dataset, series_key) of its own dataset (supplements are not followed).
CHANGE_ROWS = """
WITH series AS (SELECT id, source, dataset, series_key, spec FROM indicators WHERE series_key IS NOT NULL),
added AS (
    SELECT s.id AS indicator, a.geo, 'new' AS kind, a.period, NULL::DOUBLE AS old_value, a.value AS new_value,
           NULL::VARCHAR AS old_status, NULL::VARCHAR AS new_status,
           NULL::VARCHAR AS old_upstream, a.upstream_stated AS new_upstream, a.added_at AS seen_at, s.spec
    FROM observation_added a JOIN series s USING (source, dataset, series_key)
    WHERE a.added_at >= $since AND ($geo IS NULL OR a.geo = $geo)
),
revised AS (
    SELECT s.id AS indicator, h.geo, 'revised' AS kind, h.period, h.old_value, h.new_value,
           NULL::VARCHAR AS old_status, NULL::VARCHAR AS new_status,
           h.old_upstream_stated AS old_upstream, h.new_upstream_stated AS new_upstream,
           h.changed_at AS seen_at, s.spec
    FROM observation_history h JOIN series s USING (source, dataset, series_key)
    WHERE h.changed_at >= $since AND ($geo IS NULL OR h.geo = $geo)
),
steps AS (
    SELECT indicator_id, geo, latest_period, status, built_at,
           lag(status) OVER (PARTITION BY indicator_id, geo ORDER BY built_at) AS before
    FROM assessment_history WHERE $geo IS NULL OR geo = $geo
),
status AS (
    SELECT indicator_id AS indicator, geo, 'status' AS kind, latest_period AS period,
           NULL::DOUBLE AS old_value, NULL::DOUBLE AS new_value, before AS old_status, status AS new_status,
           NULL::VARCHAR AS old_upstream, NULL::VARCHAR AS new_upstream, built_at AS seen_at,
           NULL::VARCHAR AS spec
    FROM steps WHERE before IS NOT NULL AND before <> status AND built_at >= $since
)
SELECT * FROM (
    SELECT * FROM added UNION ALL BY NAME SELECT * FROM revised UNION ALL BY NAME SELECT * FROM status
)
ORDER BY indicator, geo, seen_at, list_position(['new', 'revised', 'status'], kind), period
"""


def build_identity(con: duckdb.DuckDBPyConnection) -> dict:
    """What a pack record names its data by: the build's id and time, where it came from, its snapshot's
    manifest hash (snapshot builds) and its number of observations."""
    row = con.execute(
        "SELECT build_id, built_at, built_from, location, snapshot_sha256, n_obs FROM build_info "
        "ORDER BY built_at DESC LIMIT 1"
    ).fetchone()
    keys = ("build_id", "built_at", "built_from", "location", "snapshot_sha256", "n_obs")
    found = dict(zip(keys, row, strict=True)) if row else dict.fromkeys(keys)
    if found["built_at"] is not None:
        found["built_at"] = _built_at(found["built_at"])
    return found
