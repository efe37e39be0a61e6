"""Catalogue YAML + observations in a warehouse being built → objectives, indicators, values, assessments."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from indicators.catalog import CatalogError, Problem, catalog_dir, load_indicators, load_objectives
from indicators.model import Indicator
from indicators.progress import (
    annual_means,
    assess_all,
    indicator_frame,
    objective_rollups,
    resolution_problems,
    year_of,
)
from indicators.series import Resolution, resolve
from indicators.vocabulary import LANGS


@dataclass
class CatalogueReport:
    indicators: int = 0
    gaps: list[Resolution] = field(default_factory=list)  # declared, but no data in the warehouse yet


def check_against_data(con: duckdb.DuckDBPyConnection, indicators: tuple[Indicator, ...]) -> list[Resolution]:
    """Resolve each indicator's codes; raise CatalogError (file and key named) for impossible codes."""
    keys = _series_keys(con)
    resolutions = [resolve(ind, keys.get(f"{ind.source}/{ind.dataset}")) for ind in indicators]
    problems = [
        Problem(_file(ind), key, msg)
        for ind, key, msg in resolution_problems(resolutions, _known_codes(con), indicators)
    ]
    for ind in indicators:
        for i, sup in enumerate(ind.supplements):
            r = resolve(ind.as_published_in(sup), keys.get(f"{sup.source}/{sup.dataset}"))
            if r.status == "several":
                problems.append(
                    Problem(_file(ind), f"supplements[{i}].series", r.message or "several series")
                )
    problems += _target_year_problems(con, indicators, resolutions)
    if problems:
        raise CatalogError(problems)
    return resolutions


def write_catalogue(con: duckdb.DuckDBPyConnection) -> CatalogueReport:
    """Validate the catalogue against the observations just loaded, assess, and write the tables."""
    objectives = load_objectives()
    indicators = with_target_values(con, load_indicators(objectives=objectives))
    resolutions = check_against_data(con, indicators)
    keys = _series_keys(con)
    frames = {
        r.indicator_id: _frame(con, ind, r, keys) for ind, r in zip(indicators, resolutions, strict=True)
    }
    _write_objectives(con, objectives)
    _write_indicators(con, indicators, resolutions, frames)
    values = [f.assign(indicator_id=i) for i, f in frames.items() if f is not None]
    if values:
        columns = ["indicator_id", "geo", "period", "year", "value", "obs_flag", "conf_flag", "origin"]
        _insert(con, "indicator_values", pd.concat(values)[columns])
    by_id = {ind.id: ind for ind in indicators}
    assessed = {i: annual_means(f) if f is not None and by_id[i].annual_from_quarters else f
                for i, f in frames.items()}  # fmt: skip
    assessments = assess_all(indicators, assessed)
    _insert(con, "assessments", assessments.assign(card=assessments["card"].map(_json)))
    headlines = {i.objective: i.id for i in indicators if i.headline}
    context = {i.id for i in indicators if not i.counts_for_objective}
    counted = assessments[~assessments["indicator_id"].isin(context)]
    rollups = objective_rollups(objectives, counted, headlines)
    _insert(con, "objective_status", rollups.assign(counts=rollups["counts"].map(_json),
                                                    evidence=rollups["evidence"].map(_json)))  # fmt: skip
    return CatalogueReport(
        indicators=len(indicators),
        gaps=[r for r in resolutions if r.status != "ok"],
    )


def with_target_values(
    con: duckdb.DuckDBPyConnection, indicators: tuple[Indicator, ...]
) -> tuple[Indicator, ...]:
    """Targets given by the Commission's own row get their value from that row in the warehouse.

    Where the DESI facts are loaded but hold no such row, the catalogue names a row that does not
    exist: an error naming the file. Where no DESI facts are loaded at all, the value stays unknown
    and the indicator is not assessed against its target (a data gap, like a dataset not fetched yet)."""
    out, problems = [], []
    facts_loaded = con.execute(
        "SELECT count(*) FROM observations WHERE source = 'desi' AND dataset = 'desi_facts'"
    ).fetchone()[0]
    for ind in indicators:
        row = ind.target.commission_row if ind.target else None
        if row is None:
            out.append(ind)
            continue
        found = con.execute(
            "SELECT value FROM observations WHERE source = 'desi' AND dataset = 'desi_facts' "
            "AND series_key = ? AND geo = 'EU' AND period = ?",
            [row.series_key(), str(ind.target.year)],
        ).fetchone()
        if (found is None or found[0] is None) and not facts_loaded:
            out.append(ind)
            continue
        if found is None or found[0] is None:
            message = f"no {row.series_key()} row for EU {ind.target.year} in the DESI facts"
            problems.append(Problem(_file(ind), "target.commission_row", message))
            continue
        target = ind.target.model_copy(update={"value": float(found[0])})
        out.append(ind.model_copy(update={"target": target}))
    if problems:
        raise CatalogError(problems)
    return tuple(out)


def _file(ind: Indicator) -> str:
    return str(catalog_dir() / f"{ind.id}.yaml")


def _series_keys(con) -> dict[str, list[str]]:
    rows = con.execute("SELECT DISTINCT source, dataset, series_key FROM observations").fetchall()
    out: dict[str, list[str]] = {}
    for source, dataset, key in rows:
        out.setdefault(f"{source}/{dataset}", []).append(key)
    return out


def _known_codes(con) -> dict[str, set[tuple[str, str]]]:
    """Codes a dataset declares (its payload's labels, shared code lists), even where no value exists."""
    rows = con.execute(
        "SELECT l.source, d.dataset, l.dimension, l.code FROM labels l "
        "JOIN (SELECT DISTINCT source, dataset FROM observations) d "
        "ON l.source = d.source AND (l.dataset = d.dataset OR l.dataset = '*')"
    ).fetchall()
    out: dict[str, set[tuple[str, str]]] = {}
    for source, dataset, dim, code in rows:
        out.setdefault(f"{source}/{dataset}", set()).add((dim, code))
    return out


def _target_year_problems(con, indicators, resolutions) -> list[Problem]:
    problems = []
    for ind, r in zip(indicators, resolutions, strict=True):
        if ind.target is None or r.status != "ok":
            continue
        first = con.execute(
            "SELECT min(period) FROM observations WHERE source = ? AND dataset = ? AND series_key = ?",
            [ind.source, ind.dataset, r.series_key],
        ).fetchone()[0]
        if first is not None and ind.target.year < year_of(first):
            problems.append(
                Problem(
                    _file(ind),
                    "target.year",
                    f"target year {ind.target.year} is before the data (from {first})",
                )
            )
    return problems


def _frame(con, ind: Indicator, r: Resolution, keys: dict[str, list[str]]) -> pd.DataFrame | None:
    """The indicator's own series, then each supplement's values for the (geo, period) pairs it lacks;
    `origin` says which dataset every value came from."""
    if r.status != "ok":
        return None
    frame = _series_frame(con, ind, r.series_key)
    for sup in ind.supplements:
        extra_ind = ind.as_published_in(sup)
        res = resolve(extra_ind, keys.get(f"{sup.source}/{sup.dataset}"))
        if res.status != "ok":
            continue  # a supplement not in the warehouse adds nothing; the indicator stands on its own
        extra = _series_frame(con, extra_ind, res.series_key)
        extra["geo"] = extra["geo"].replace({sup.eu_geo: ind.eu_geo})
        have = set(zip(frame["geo"], frame["period"], strict=True))
        extra = extra[[(g, p) not in have for g, p in zip(extra["geo"], extra["period"], strict=True)]]
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame.sort_values(["geo", "year"]).reset_index(drop=True)


def _series_frame(con, ind: Indicator, series_key: str) -> pd.DataFrame:
    obs = con.execute(
        "SELECT geo, period, value, obs_flag, conf_flag FROM observations "
        "WHERE source = ? AND dataset = ? AND series_key = ?",
        [ind.source, ind.dataset, series_key],
    ).df()
    return indicator_frame(ind, obs).assign(origin=f"{ind.source}/{ind.dataset}")


def _write_objectives(con, objectives) -> None:
    rows = [
        {"number": o.number, "id": o.id}
        | {f"title_{lang}": o.title.get(lang) for lang in LANGS}
        | {f"description_{lang}": o.description.get(lang) for lang in LANGS}
        for o in objectives
    ]
    _insert(con, "objectives", pd.DataFrame(rows))


def _write_indicators(con, indicators, resolutions, frames) -> None:
    rows = []
    for ind, r in zip(indicators, resolutions, strict=True):
        f = frames[ind.id]
        rows.append(
            {
                "id": ind.id, "objective": ind.objective, "headline": ind.headline, "source": ind.source,
                "dataset": ind.dataset, "series_key": r.series_key, "resolution": r.status,
                "resolution_msg": r.message,
                "first_period": None if f is None or f.empty else f["period"].min(),
                "last_period": None if f is None or f.empty else f["period"].max(),
                "spec": _json(ind.model_dump(mode="json")),
            }
        )  # fmt: skip
    _insert(con, "indicators", pd.DataFrame(rows))


def _json(obj) -> str:
    return json.dumps(_finite(obj), ensure_ascii=False, default=_default, allow_nan=False)


def _finite(obj):
    """JSON has no NaN: a missing number is null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _default(o):
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def _insert(con, table: str, df: pd.DataFrame) -> None:
    con.register("_rows", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    finally:
        con.unregister("_rows")
