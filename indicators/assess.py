"""Observations + direction + target → status and calculation card (methodology.md), roll-up, EU rank."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from indicators.vocabulary import (  # noqa: F401  (re-exported: the method reads as one module)
    EU27,
    EU_AGGREGATE,
    NEIGHBOURS,
    STALE_AFTER_YEARS,
    STATUSES,
    WINDOW_YEARS,
    Direction,
    Pace,
    Status,
)

METHOD = "eurostat_sdg"
ON_TRACK_RATIO = 0.95
MODERATE_RATIO = 0.60
DIRECTION_ONLY_THRESHOLD = 0.01  # 1 % a year
# Evidence behind an objective's status is "strong" when at least this many of its indicators are assessed on
# current data and they make at least this share of its indicators; one such indicator is "limited" evidence.
STRONG_EVIDENCE = 2
STRONG_EVIDENCE_SHARE = 0.5
LIMIT_EXPONENT = 4.44  # Open SDG's curvature for the natural-limit factor
SCORES: dict[Status, int] = {
    "target_met": 3,
    "on_track": 3,
    "moderate": 2,
    "insufficient": 1,
    "moving_away": 0,
}
SCORE_STATUS: dict[int, Status] = {3: "on_track", 2: "moderate", 1: "insufficient", 0: "moving_away"}


LINEAR_BASIS = "linear: growth and threshold in units a year; threshold = C x 1 % of max(|x_s|, |x_t|)"
CAGR_BASIS = "cagr: growth and threshold as relative rates a year; threshold = C x 1 %"


@dataclass(frozen=True)
class Observation:
    year: float
    value: float | None  # None/NaN = confidential or not available; dropped before assessing
    flag: str | None = None


@dataclass(frozen=True)
class Target:
    value: float
    year: int


@dataclass(frozen=True)
class Assessment:
    status: Status
    card: dict


@dataclass(frozen=True)
class RollUp:
    status: Status
    mean_score: float | None
    counts: dict[Status, int]  # the statuses that count: indicators on stale data are left out (n_stale)
    n_without_data: int
    n_assessed: int  # indicators with a status other than insufficient_data
    n_current: int = 0  # of those, the ones whose latest data are not stale: only they make the status
    evidence: str = "none"  # strong | limited | none
    n_stale: int = 0  # assessed indicators whose latest data are stale: shown, never counted


@dataclass(frozen=True)
class Comparison:
    eu_value: float | None
    eu_year: float | None
    rank: int | None
    n_ranked: int
    gap_to_eu: float | None
    best_neighbour: str | None
    best_neighbour_value: float | None
    gap_to_best_neighbour: float | None
    year: float


# --------------------------------------------------------------------------- assess


def assess(
    observations: Sequence[Observation],
    *,
    direction: Direction,
    target: Target | None = None,
    limit: float | None = None,
    window: int = WINDOW_YEARS,
    base_year: int | None = None,
) -> Assessment:
    """Status of one series and the card holding every input and intermediate value (none rounded).

    Judgement calls beyond methodology.md (each one also leaves a trace in the card):
    - duplicate years: the last one given wins (`duplicate_years`);
    - the start is never the latest observation itself, so "if none" means "none before t in the window";
      the nearest earlier one is then used (`start_outside_window`);
    - both values negative: CAGR measures the change of the magnitude, so its sign is flipped for the
      direction test (`sign` = -1, as Open SDG); the ratio uses d·sign·a/|r|, which equals a/r whenever
      the target lies in the direction of progress, and cannot turn a wrong-way move into progress when
      the start value was already beyond the target;
    - target year not after the start year: no required pace exists → insufficient_data (`reason`);
      target year at or before the latest year and not met: the deadline is missed, so at best
      `insufficient` (R ≥ 0), else `moving_away` (R computed over T − s);
    - target equal to the start value and not met: `moving_away` (R undefined, r = 0);
    - the natural limit only scales the direction-only thresholds (Open SDG ignores it with a target);
      it is a ceiling applied whatever the direction (as Open SDG); above L, Open SDG's mirror
      C = 1 − ((2L − x_s)/L)^4.44, and C = 1 from 2L up or for x_s ≤ 0 (`notes`);
    - linear pace without a target: growth in units a year against 1 % of max(|x_s|, |x_t|) a year
      (`threshold_basis`), the larger endpoint because x_s may be 0;
    - fewer than two observations: insufficient_data even when the latest value meets the target
      (`target_met_latest` says so);
    - a 'b' flag on the start year is not a break inside s→t (it cuts s from the years before it).
    """
    d = _check_inputs(direction, target, limit, window)
    card = _blank_card(direction, target, limit, window, base_year)
    obs = _clean(observations, card)
    if obs:
        _describe_latest(card, obs[-1], target, d)
    if len(obs) < 2:
        return _finish(card, "insufficient_data", f"{len(obs)} usable observation(s); at least 2 are needed")
    latest = obs[-1]
    threshold_year = base_year if base_year is not None else latest.year - window
    start = _pick_start(obs, threshold_year)
    _describe_window(card, obs, start, latest, threshold_year)
    span = latest.year - start.year
    if span < 1:
        return _finish(card, "insufficient_data", f"window covers {span} year(s); at least 1 is needed")

    pace = _pace(start.value, latest.value, target)
    sign = -1 if pace == "cagr" and start.value < 0 else 1
    a = _rate(start.value, latest.value, span, pace)
    card.update(
        pace=pace,
        sign=sign,
        actual_rate=a,
        growth=d * sign * a,
        pp_actual_per_year=(latest.value - start.value) / span,
    )
    if target is None:
        return _finish(card, _direction_only(card, start.value, latest.value, pace, limit))
    status, reason = _with_target(card, d, start, latest, target, pace)
    _project(card, a, latest, target, pace)
    return _finish(card, status, reason)


def _direction_sign(direction: str) -> int:
    if direction not in ("increase", "decrease"):
        raise ValueError(f"direction must be 'increase' or 'decrease', got {direction!r}")
    return 1 if direction == "increase" else -1


def _check_inputs(direction: str, target: Target | None, limit: float | None, window: int) -> int:
    d = _direction_sign(direction)
    if window < 1:
        raise ValueError(f"window must be at least 1 year, got {window}")
    if limit is not None and not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"natural limit must be a positive number, got {limit}")
    if target is not None and not math.isfinite(target.value):
        raise ValueError(f"target value must be a finite number, got {target.value}")
    return d


def _blank_card(
    direction: str, target: Target | None, limit: float | None, window: int, base_year: int | None
) -> dict:
    """Every key present from the start, so the UI never has to guess whether a value was computed."""
    return {
        "method": METHOD,
        "direction": direction,
        "window": window,
        "base_year": base_year,
        "start_rule": "base_year" if base_year is not None else "window",
        "observations": [],
        "dropped_years": [],
        "duplicate_years": [],
        "n_obs_total": 0,
        "n_obs": 0,
        "start_year": None,
        "start_value": None,
        "start_outside_window": None,
        "latest_year": None,
        "latest_value": None,
        "pace": None,
        "sign": None,
        "actual_rate": None,
        "required_rate": None,
        "ratio": None,
        "growth": None,
        "threshold": None,
        "threshold_basis": None,
        "limit": limit,
        "limit_exponent": LIMIT_EXPONENT if limit is not None else None,
        "limit_factor": None,
        "target_value": target.value if target else None,
        "target_year": target.year if target else None,
        "target_met_latest": None,
        "target_year_passed": None,
        "projected_value": None,
        "year_reached": None,
        "pace_needed": None,
        "pp_needed_per_year": None,
        "pp_actual_per_year": None,
        "break_in_window": False,
        "break_years": [],
        "flags_start": [],
        "flags_latest": [],
        "notes": [],
        "reason": None,
        "status": None,
    }


def _finish(card: dict, status: Status, reason: str | None = None) -> Assessment:
    card["status"] = status
    card["reason"] = reason
    return Assessment(status=status, card=card)


def _clean(observations: Sequence[Observation], card: dict) -> list[Observation]:
    by_year: dict[float, Observation] = {}
    for o in observations:
        if o.value is None or not math.isfinite(o.value):
            card["dropped_years"].append(o.year)
            continue
        if o.year in by_year:
            card["duplicate_years"].append(o.year)
        by_year[o.year] = o
    obs = sorted(by_year.values(), key=lambda o: o.year)
    card["observations"] = [{"year": o.year, "value": o.value, "flag": o.flag} for o in obs]
    card["n_obs_total"] = len(obs)
    return obs


def _flag_letters(flag: str | None) -> list[str]:
    # Eurostat combines flags in one string ("bp"); each letter is a separate flag.
    return [c for c in dict.fromkeys(flag or "") if c.isalpha()]


def _meets(d: int, value: float, target: Target) -> bool:
    return d * (value - target.value) >= 0


def _describe_latest(card: dict, latest: Observation, target: Target | None, d: int) -> None:
    card.update(latest_year=latest.year, latest_value=latest.value, flags_latest=_flag_letters(latest.flag))
    if target is not None:
        card["target_met_latest"] = _meets(d, latest.value, target)


def _pick_start(obs: list[Observation], threshold_year: float) -> Observation:
    earlier = obs[:-1]  # the latest observation cannot be its own start
    inside = [o for o in earlier if o.year >= threshold_year]
    return inside[0] if inside else earlier[-1]


def _describe_window(
    card: dict, obs: list[Observation], start: Observation, latest: Observation, threshold_year: float
) -> None:
    in_use = [o for o in obs if start.year <= o.year <= latest.year]
    # A 'b' on the start year only breaks the link with the years before it, not with s→t.
    breaks = [o.year for o in in_use if o.year > start.year and "b" in _flag_letters(o.flag)]
    card.update(
        start_year=start.year,
        start_value=start.value,
        start_outside_window=start.year < threshold_year,
        n_obs=len(in_use),
        break_in_window=bool(breaks),
        break_years=breaks,
        flags_start=_flag_letters(start.flag),
    )


def _pace(xs: float, xt: float, target: Target | None) -> Pace:
    values = [xs, xt] + ([target.value] if target is not None else [])
    if any(v == 0 for v in values) or len({v > 0 for v in values}) > 1:
        return "linear"
    return "cagr"


def _rate(x0: float, x1: float, years: float, pace: Pace) -> float:
    if pace == "linear":
        return (x1 - x0) / years
    return (x1 / x0) ** (1 / years) - 1


def _limit_factor(xs: float, limit: float | None) -> tuple[float, str | None]:
    if limit is None:
        return 1.0, None
    if xs <= 0:
        return 1.0, "start value at or below zero: far from the limit, C = 1"
    if xs <= limit:
        return 1 - (xs / limit) ** LIMIT_EXPONENT, None
    if xs < 2 * limit:
        mirrored = (2 * limit - xs) / limit
        return 1 - mirrored**LIMIT_EXPONENT, "start value above the limit: Open SDG's mirror rule"
    return 1.0, "start value at or above twice the limit: C = 1 (Open SDG)"


def _direction_only(card: dict, xs: float, xt: float, pace: Pace, limit: float | None) -> Status:
    c, note = _limit_factor(xs, limit)
    if note:
        card["notes"].append(note)
    # A linear pace is in units a year; the largest endpoint turns 1 % into units and is never 0
    # unless both endpoints are 0 (then growth is 0 too).
    basis = 1.0 if pace == "cagr" else max(abs(xs), abs(xt))
    threshold = c * DIRECTION_ONLY_THRESHOLD * basis
    basis_text = CAGR_BASIS if pace == "cagr" else LINEAR_BASIS
    card.update(limit_factor=c, threshold=threshold, threshold_basis=basis_text)
    g = card["growth"]
    if g > threshold:
        return "on_track"
    return "moderate" if g >= 0 else "moving_away"


def _classify_ratio(ratio: float) -> Status:
    if ratio >= ON_TRACK_RATIO:
        return "on_track"
    if ratio >= MODERATE_RATIO:
        return "moderate"
    return "insufficient" if ratio >= 0 else "moving_away"


def _with_target(
    card: dict, d: int, start: Observation, latest: Observation, target: Target, pace: Pace
) -> tuple[Status, str | None]:
    if card["limit"] is not None:
        card["notes"].append("natural limit not used with a quantified target (Open SDG)")
    r = _rate(start.value, target.value, target.year - start.year, pace) if target.year > start.year else None
    ratio = d * card["sign"] * card["actual_rate"] / abs(r) if r else None
    passed = target.year <= latest.year
    card.update(required_rate=r, ratio=ratio, target_year_passed=passed)
    if _meets(d, latest.value, target):
        return "target_met", None
    if r is None:
        return "insufficient_data", (
            f"target year {target.year} is not after the start year {start.year}: no required pace"
        )
    if ratio is None:
        card["notes"].append("target equals the start value and is not met: moved away from it")
        return "moving_away", None
    if passed:
        card["notes"].append("target year reached without meeting the target: at best insufficient")
        return ("moving_away" if ratio < 0 else "insufficient"), None
    return _classify_ratio(ratio), None


def _project(card: dict, a: float, latest: Observation, target: Target, pace: Pace) -> None:
    xt, xstar = latest.value, target.value
    ahead = target.year - latest.year
    if ahead > 0:
        card.update(
            projected_value=xt * (1 + a) ** ahead if pace == "cagr" else xt + a * ahead,
            pace_needed=_rate(xt, xstar, ahead, pace),
            pp_needed_per_year=(xstar - xt) / ahead,
        )
    if card["target_met_latest"]:
        card["year_reached"] = latest.year
    else:
        card["year_reached"] = _year_reached(a, xt, xstar, latest.year, pace)


def _year_reached(a: float, xt: float, xstar: float, t: float, pace: Pace) -> float | None:
    """Year the target is reached at the current pace; None = never (no move, or moving away)."""
    if a == 0:
        return None
    years = math.log(xstar / xt) / math.log1p(a) if pace == "cagr" else (xstar - xt) / a
    return t + years if years > 0 else None


# --------------------------------------------------------------------------- roll-up


def roll_up(statuses: Sequence[Status], current: Sequence[bool] | None = None) -> RollUp:
    """Mean score of the assessed indicators whose data are current, rounded half up (2.5 → 3), mapped back
    to a status; `insufficient_data` when no assessed indicator is current (stale data alone never make a
    status). `current` defaults to every indicator being current. The counts leave the stale statuses out,
    so that they add up to what the status rests on.

    Python's round() rounds half to even (2.5 → 2), which would pull half cases down unevenly.
    A mean of 3 maps to on_track even when every indicator met its target (methodology.md).
    """
    current = [True] * len(statuses) if current is None else list(current)
    if len(current) != len(statuses):
        raise ValueError("one currency flag per status")
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}")
    assessed = [(s, c) for s, c in zip(statuses, current, strict=True) if s != "insufficient_data"]
    scores = [SCORES[s] for s, c in assessed if c]
    counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for s, c in zip(statuses, current, strict=True):
        if c or s == "insufficient_data":
            counts[s] += 1
    n_without = counts["insufficient_data"]
    n_stale = len(assessed) - len(scores)
    evidence = evidence_level(len(scores), len(statuses))
    if not scores:
        return RollUp("insufficient_data", None, counts, n_without, len(assessed), 0, evidence, n_stale)
    mean = sum(scores) / len(scores)
    return RollUp(SCORE_STATUS[math.floor(mean + 0.5)], mean, counts, n_without, len(assessed), len(scores),
                  evidence, n_stale)  # fmt: skip


def evidence_level(n_current: int, n_indicators: int) -> str:
    """'strong' (enough current assessed indicators, and enough of the objective's), 'limited' or 'none'."""
    if n_current >= STRONG_EVIDENCE and n_current >= STRONG_EVIDENCE_SHARE * n_indicators:
        return "strong"
    return "limited" if n_current else "none"


def is_stale(latest_year: float | None, current_year: int) -> bool:
    """A latest observation more than STALE_AFTER_YEARS before the current year (no data is not stale)."""
    return latest_year is not None and latest_year < current_year - STALE_AFTER_YEARS


def position_vs_eu(gap_to_eu: float | None, direction: Direction, tolerance: float = 1e-9) -> str | None:
    """Where a value stands against the EU value in the direction of progress: better, worse or level."""
    if gap_to_eu is None or not math.isfinite(gap_to_eu):
        return None
    if abs(gap_to_eu) <= tolerance:
        return "level"
    return "better" if (gap_to_eu > 0) == (direction == "increase") else "worse"


# --------------------------------------------------------------------------- EU comparison


def _usable(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def compare(
    values: Mapping[str, float | None],
    *,
    geo: str = "BE",
    year: float,
    direction: Direction,
    eu_geo: str = EU_AGGREGATE,
    members: Sequence[str] = EU27,
    neighbours: Sequence[str] = NEIGHBOURS,
) -> Comparison:
    """One year's values by geo → EU value, rank among member states, gaps (geo's value minus the other).

    Gaps keep their sign: positive means `geo` is above; whether that is good depends on the direction.
    Ties share the best rank (competition ranking 1, 2, 2, 4); a geo that is not a member gets no rank.
    """
    d = _direction_sign(direction)
    clean = {g: float(v) for g, v in values.items() if _usable(v)}
    own = clean.get(geo)
    eu = clean.get(eu_geo)
    ranked = {g: clean[g] for g in members if g in clean}
    rank = None
    if own is not None and geo in ranked:
        rank = 1 + sum(1 for v in ranked.values() if d * (v - own) > 0)
    candidates = [(g, clean[g]) for g in neighbours if g != geo and g in clean]
    # max() keeps the first of equals, so a tie goes to the earlier neighbour in the list.
    best = max(candidates, key=lambda gv: d * gv[1], default=None)
    return Comparison(
        eu_value=eu,
        eu_year=year if eu is not None else None,
        rank=rank,
        n_ranked=len(ranked),
        # Rounded past any published precision: 24.1 - 22.3 is 1.8000000000000007 in binary.
        gap_to_eu=round(own - eu, 9) if own is not None and eu is not None else None,
        best_neighbour=best[0] if best else None,
        best_neighbour_value=best[1] if best else None,
        gap_to_best_neighbour=round(own - best[1], 9) if own is not None and best else None,
        year=year,
    )
