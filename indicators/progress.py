"""Indicator series (all geos) + catalogue → assessments with calculation cards, and objective roll-ups."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators.assess import (
    Observation,
    Target,
    assess,
    compare,
    is_stale,
    position_vs_eu,
    roll_up,
)
from indicators.model import Indicator, Objective
from indicators.series import Resolution
from indicators.vocabulary import EU27, NO_STATUS, STALE_AFTER_YEARS, WINDOW_YEARS, peers_of

NO_DATA_HINT = "no data for this indicator in the warehouse"


def year_of(period: str) -> float:
    """'2023' → 2023.0; other frequencies fall inside their year so windows stay in years."""
    head, _, tail = str(period).partition("-")
    year = float(head[:4])
    if tail.startswith("Q"):
        return year + (int(tail[1:]) - 1) / 4
    if tail.isdigit():
        return year + (int(tail) - 1) / 12
    return year


def indicator_frame(ind: Indicator, obs: pd.DataFrame) -> pd.DataFrame:
    """The selected series' rows (geo, period, value, flags) → display units, with a numeric year."""
    out = obs[["geo", "period", "value", "obs_flag", "conf_flag"]].copy()
    # Publishers give a few decimals; rounding to 9 drops the binary noise of the scaling (0.959 x 100 =
    # 95.89999999999999) and changes no published digit.
    out["value"] = (out["value"] * ind.multiplier).round(9)
    out["year"] = out["period"].map(year_of)
    return out.sort_values(["geo", "year"]).reset_index(drop=True)


def direction_status(mean: float) -> str:
    """A mean score of direction-only indicators → the nearest of their own statuses (on_track 3 'improving',
    moderate 2 'little change', moving_away 0 'worsening'); a tie goes up, as the roll-up rounds half up."""
    return min(
        ((3, "on_track"), (2, "moderate"), (0, "moving_away")), key=lambda s: (abs(s[0] - mean), -s[0])
    )[1]


def annual_means(frame: pd.DataFrame) -> pd.DataFrame:
    """Quarterly rows → one row per geo and complete year (all four quarters): their mean, with every flag
    any quarter carries (a break in one quarter breaks the year). Incomplete years are left out, never
    averaged over fewer quarters."""
    q = frame[frame["period"].str.contains("-Q", regex=False)].dropna(subset=["value"])
    q = q.assign(_year=q["period"].str[:4])
    rows = []
    for (geo, year), part in q.groupby(["geo", "_year"], sort=True):
        if sorted(part["period"]) != [f"{year}-Q{i}" for i in range(1, 5)]:
            continue
        flags = "".join(sorted({c for f in part["obs_flag"].dropna() for c in str(f)}))
        rows.append({"geo": geo, "period": year, "value": round(part["value"].mean(), 9),
                     "obs_flag": flags or None, "conf_flag": None, "year": float(year),
                     "origin": part["origin"].iloc[0] if "origin" in part else None})  # fmt: skip
    columns = ["geo", "period", "value", "obs_flag", "conf_flag", "year", "origin"]
    return pd.DataFrame(rows, columns=columns)


def assessment_geos(ind: Indicator) -> list[str]:
    return list(EU27) + [ind.eu_geo] if ind.geos == "eu27" else list(ind.geos)


@dataclass(frozen=True)
class SeriesIndex:
    """One indicator's series, indexed once: rows by geo (in year order) and values by period."""

    by_geo: dict[
        str, list[tuple[str, float, float | None, str | None]]
    ]  # geo → [(period, year, value, flag)]
    by_period: dict[str, dict[str, float | None]]  # period → {geo: value}

    @classmethod
    def of(cls, frame: pd.DataFrame) -> SeriesIndex:
        by_geo: dict[str, list] = {}
        by_period: dict[str, dict] = {}
        ordered = frame.sort_values(["geo", "year"])
        for geo, period, year, value, flag in zip(
            ordered["geo"],
            ordered["period"],
            ordered["year"],
            ordered["value"],
            ordered["obs_flag"],
            strict=True,
        ):
            v = _num(value)
            by_geo.setdefault(geo, []).append((period, float(year), v, _flag(flag)))
            by_period.setdefault(period, {})[geo] = v
        return cls(by_geo, by_period)


def assess_indicator(
    ind: Indicator,
    series: SeriesIndex | None,
    geo: str,
    *,
    window: int = WINDOW_YEARS,
    base_year: int | None = None,
    current_year: int | None = None,
) -> dict:
    """One indicator for one geo → a row: status, latest value, currency, EU position and the card."""
    target = (
        Target(ind.target.value, ind.target.year) if ind.target and ind.target.value is not None else None
    )
    rows = series.by_geo.get(geo, []) if series is not None else []
    with_value = [r for r in rows if r[2] is not None]
    if with_value and ind.target and ind.target.value is None:
        # The target's value comes from the Commission's row, which this warehouse does not hold: the
        # latest value, the EU value and the rank are still shown; no status against an unknown target.
        card = {"method": "eurostat_sdg", "status": NO_STATUS, "direction": ind.direction,
                "reason": "the target's value (the Commission's target row) is not in the data"}  # fmt: skip
        period, year, value, flag = with_value[-1]
        comparison = _compare(ind, series, period, geo, year)
        card["comparison"] = comparison.__dict__
        return _row(ind, geo, NO_STATUS, card, (period, value, flag, year), comparison, current_year)
    if not with_value:
        reason = NO_DATA_HINT if series is None else f"no observation for {geo} in this series"
        card = {
            "method": "eurostat_sdg",
            "status": NO_STATUS,
            "reason": reason,
            "direction": ind.direction,
        }
        return _row(ind, geo, NO_STATUS, card, None, None, current_year)
    # Years before a definition change are shown but never compared with later ones.
    comparable = [r for r in rows if not ind.comparable_from or r[1] >= ind.comparable_from]
    obs = [Observation(year, value, flag) for _, year, value, flag in comparable]
    result = assess(
        obs, direction=ind.direction, target=target, limit=ind.limit, window=window, base_year=base_year
    )
    period, year, value, flag = with_value[-1]
    comparison = _compare(ind, series, period, geo, year)
    card = {
        **result.card, "comparison": comparison.__dict__, "is_percent": ind.is_percent,
        "comparable_from": ind.comparable_from,
    }  # fmt: skip
    return _row(ind, geo, result.status, card, (period, value, flag, year), comparison, current_year)


def _compare(ind: Indicator, series: SeriesIndex, period: str, geo: str, year: float):
    """Position among the member states, or none: a count (comparable_across_geos false) or a series of
    Belgium and its regions only is never ranked, and a region never against member states."""
    comparable = ind.comparable_across_geos and ind.geos == "eu27"
    return compare(
        series.by_period[period], geo=geo, year=year, direction=ind.direction, eu_geo=ind.eu_geo,
        members=EU27 if comparable else (),
        neighbours=peers_of(geo) if comparable else (),
    )  # fmt: skip


def _flag(v) -> str | None:
    return v if isinstance(v, str) and v else None


def _num(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _row(ind: Indicator, geo: str, status: str, card: dict, latest, comparison,
         current_year: int | None) -> dict:  # fmt: skip
    year = None if latest is None else latest[3]
    now = current_year or date.today().year
    stale = is_stale(year, now)
    card["currency"] = {"latest_year": year, "current_year": now, "stale": stale,
                        "stale_before": now - STALE_AFTER_YEARS}  # fmt: skip
    gap = comparison.gap_to_eu if comparison else None
    return {
        "indicator_id": ind.id,
        "objective": ind.objective,
        "geo": geo,
        "status": status,
        "latest_period": None if latest is None else latest[0],
        "latest_value": None if latest is None else latest[1],
        "latest_flag": None if latest is None else latest[2],
        "eu_value": comparison.eu_value if comparison else None,
        "rank": comparison.rank if comparison else None,
        "n_ranked": comparison.n_ranked if comparison else None,
        "gap_to_eu": comparison.gap_to_eu if comparison else None,
        "best_neighbour": comparison.best_neighbour if comparison else None,
        "best_neighbour_value": comparison.best_neighbour_value if comparison else None,
        "latest_year": year,
        "stale": stale,
        "position": position_vs_eu(gap, ind.direction),
        # A status against a target, or only the direction of change: they take different words.
        "status_kind": "target" if ind.target else "direction",
        "card": card,
    }


def assess_all(
    indicators: Sequence[Indicator],
    frames: Mapping[str, pd.DataFrame | None],
    *,
    window: int = WINDOW_YEARS,
    current_year: int | None = None,
) -> pd.DataFrame:
    """Every indicator × every geo it applies to → one assessment row each (currency as of `current_year`)."""
    indexed = {i: SeriesIndex.of(f) for i, f in frames.items() if f is not None}
    rows = [
        assess_indicator(ind, indexed.get(ind.id), geo, window=window, current_year=current_year)
        for ind in indicators
        for geo in assessment_geos(ind)
    ]
    return pd.DataFrame(rows)


def objective_rollups(
    objectives: Sequence[Objective], assessments: pd.DataFrame, headlines: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Per objective and geo: the roll-up status (current indicators only), its mean score, the count of
    indicators per status, the evidence behind it and the headline indicator's own status."""
    headlines = headlines or {}
    rows = []
    if "stale" not in assessments:  # rows made without a currency check count as current
        assessments = assessments.assign(stale=False, latest_year=None)
    if "status_kind" not in assessments:
        assessments = assessments.assign(status_kind="target")
    for (number, geo), part in assessments.groupby(["objective", "geo"]):
        current = ~part["stale"].astype(bool)
        r = roll_up(part["status"].tolist(), current.tolist())
        counted = part[current & (part["status"] != NO_STATUS)]
        years = counted["latest_year"].dropna()
        head = part[part["indicator_id"] == headlines[int(number)]] if int(number) in headlines else part[:0]
        kind = "target" if counted["status_kind"].eq("target").any() else "direction"
        rows.append(
            {
                "objective": int(number),
                "geo": geo,
                # Without a target, only the direction statuses (improving, little change, worsening) apply.
                "status": direction_status(r.mean_score)
                if kind == "direction" and r.mean_score is not None
                else r.status,
                # "improving" rather than "on track" when no indicator the status rests on has a target.
                "status_kind": kind,
                "mean_score": r.mean_score,
                "counts": dict(r.counts),
                "n_without_data": r.n_without_data,
                "n_assessed": r.n_assessed,
                "n_current": r.n_current,
                "evidence": {
                    "level": r.evidence,
                    "n_indicators": len(part),
                    "n_assessed": r.n_assessed,
                    "n_current": r.n_current,
                    "n_stale": r.n_stale,
                    "current_year": _current_year(part),
                    # The data years of the indicators the status rests on (stale ones are not among them).
                    "first_year": int(years.min()) if len(years) else None,
                    "last_year": int(years.max()) if len(years) else None,
                },
                "headline_id": head["indicator_id"].iloc[0] if len(head) else headlines.get(int(number)),
                "headline_status": head["status"].iloc[0] if len(head) else None,
                "headline_status_kind": head["status_kind"].iloc[0] if len(head) else None,
            }
        )
    known = {o.number for o in objectives}
    return pd.DataFrame([r for r in rows if r["objective"] in known])


def _current_year(part: pd.DataFrame) -> int:
    for card in part.get("card", []):
        year = (card.get("currency") or {}).get("current_year") if isinstance(card, dict) else None
        if year:
            return int(year)
    return date.today().year


def resolution_problems(
    resolutions: Sequence[Resolution],
    known_codes: Mapping[str, set[tuple[str, str]]],
    indicators: Sequence[Indicator],
) -> list[tuple[Indicator, str, str]]:
    """Resolutions that are catalogue errors (codes unknown to the dataset, or several series), not mere gaps.

    A dataset that is absent, or whose named codes are all known but hold no value yet, is a data gap that a
    refresh fills; it is reported, never an error.
    """
    by_id = {i.id: i for i in indicators}
    problems = []
    for r in resolutions:
        ind = by_id[r.indicator_id]
        if r.status == "several":
            problems.append((ind, "series", r.message))
        elif r.status == "no_series":
            codes = known_codes.get(f"{ind.source}/{ind.dataset}", set())
            unknown = [f"{d}={c}" for d, c in ind.series.items() if (d, c) not in codes]
            if unknown:
                problems.append((ind, "series", f"{r.message}; unknown code(s) {', '.join(unknown)}"))
    return problems
