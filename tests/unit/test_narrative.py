"""Generated text: synthetic scorecard entries (round made-up numbers) → expected sentences and card lines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from indicators.assess import (
    MODERATE_RATIO,
    NEIGHBOURS,
    ON_TRACK_RATIO,
    STATUSES,
    Observation,
    Target,
    assess,
)
from indicators.units import UNITS
from pipelines.contracts import IndicatorEntry
from presentation import narrative
from presentation.i18n import catalogue, fmt_number, fmt_value
from presentation.narrative import card_lines, objective_sentence, status_word

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "presentation" / "narrative.py"
MESSAGES = ROOT / "presentation" / "locales" / "en" / "narrative.yaml"
SNAPSHOT = ROOT / "data" / "snapshot"
NBSP = "\u00a0"
DOC = "Synthetic test decision"


def entry(
    points: dict[float, float] | None,
    *,
    direction: str = "increase",
    unit: str = "pc_enterprises",
    target: tuple[float, int] | None = None,
    scope: str = "eu",
    confidence: str = "firm",
    article: str | None = "Art. 1",
    limit: float | None = None,
    flags: dict[float, str] | None = None,
    eu: float | None = None,
    rank: int | None = None,
    neighbour: tuple[str, float] | None = None,
    base_year: int | None = None,
) -> dict:
    """A scorecard entry shaped like pipelines.reports.scorecard's, its card made by the real assess()."""
    flags = flags or {}
    base = {
        "id": "synthetic",
        "title": "Synthetic indicator",
        "unit": unit,
        "direction": direction,
        "target": None,
        "direction_only": None if target else "No numeric target (synthetic).",
        "eu_value": None,
        "rank": None,
        "n_ranked": None,
    }
    if target:
        base["target"] = {
            "value": target[0],
            "year": target[1],
            "scope": scope,
            "document": DOC,
            "article": article,
            "confidence": confidence,
        }
    if points is None:  # dataset not in the warehouse: the card scorecard.py writes then
        card = {
            "method": "eurostat_sdg",
            "status": "insufficient_data",
            "reason": "no data",
            "direction": direction,
        }
        missing = {"data": "not_in_warehouse", "latest_period": None, "value": None, "flag": None}
        return {**base, **missing, "status": "insufficient_data", "card": card}
    obs = [Observation(year, value, flags.get(year)) for year, value in points.items()]
    res = assess(
        obs,
        direction=direction,
        target=Target(*target) if target else None,
        limit=limit,
        base_year=base_year,
    )
    latest_year = max(points)
    value = points[latest_year]
    comparison = {
        "eu_value": eu,
        "eu_year": latest_year if eu is not None else None,
        "rank": rank,
        "n_ranked": 27,
        "gap_to_eu": value - eu if eu is not None else None,
        "best_neighbour": neighbour[0] if neighbour else None,
        "best_neighbour_value": neighbour[1] if neighbour else None,
        "gap_to_best_neighbour": value - neighbour[1] if neighbour else None,
        "year": latest_year,
    }
    card = {**res.card, "comparison": comparison, "is_percent": UNITS[unit].percent}
    return {
        **base,
        "data": "available",
        "latest_period": str(int(latest_year)),
        "value": value,
        "flag": flags.get(latest_year),
        "eu_value": eu,
        "rank": rank,
        "n_ranked": 27 if rank else None,
        "status": res.status,
        "card": card,
    }


def as_entry(ind: dict | IndicatorEntry) -> IndicatorEntry:
    """The test's dict as the contract reports.scorecard hands the narrative."""
    return ind if isinstance(ind, IndicatorEntry) else IndicatorEntry.model_validate(ind)


def sentence(ind: dict | IndicatorEntry) -> str:
    return objective_sentence(as_entry(ind), geo_name="Belgium")


def card(ind: dict | IndicatorEntry) -> list[str]:
    return card_lines(as_entry(ind), geo_name="Belgium")


# The worked example of methodology.md (40 → 50 over 2018–2023, target 80 in 2030).
WORKED = {
    "points": {2018: 40, 2023: 50},
    "target": (80, 2030),
    "eu": 45.0,
    "rank": 4,
    "neighbour": ("NL", 55.0),
}


# ----------------------------------------------------------------- exact sentences, written by hand


def test_sentence_worked_example():
    assert sentence(entry(**WORKED)) == (
        f"Belgium: 50.0{NBSP}% of enterprises (2023), EU 45.0{NBSP}%; rank 4 of 27; "
        f"EU 2030 target 80{NBSP}%; at the current pace reached in 2034."
    )


def test_sentence_no_data():
    assert sentence(entry(None, target=(75, 2030))) == ("Belgium: no figures available yet.")


def test_sentence_one_year():
    ind = entry({2025: 30.0}, target=(75, 2030), eu=20.0, rank=4)
    assert sentence(ind) == (
        f"Belgium: 30.0{NBSP}% of enterprises (2025), EU 20.0{NBSP}%; rank 4 of 27; "
        f"EU 2030 target 75{NBSP}%; one year of data, no trend yet."
    )


def test_sentence_direction_only_unit_and_provisional():
    # 0.9^(1/5) - 1 = -2.085 % a year; no EU value nor rank: both left out.
    ind = entry({2014: 100, 2019: 90}, direction="decrease", unit="g_co2_km", flags={2019: "p"})
    assert sentence(ind) == (
        "Belgium: 90.0 g CO2 per km (2019, provisional); lower is better; direction of change only: "
        f"falling at 2.1{NBSP}% a year since 2014."
    )


def test_sentence_starts_with_a_capital():
    ind = entry({2025: 30.0}, target=(75, 2030))
    assert objective_sentence(as_entry(ind), geo_name="the Netherlands").startswith("The Netherlands: 30.0")


# ----------------------------------------------------------------- the exact card of the worked example


def test_card_worked_example():
    pct = f"{NBSP}%"
    assert card(entry(**WORKED)) == [
        f"EU 2030 target 80{pct}, set by {DOC}, Art. 1.",
        "Years compared: 2018 (the earliest year with data in the 5-year window from 2018) and 2023 "
        "(the latest year).",
        f"Belgium: 40.0{pct} in 2018, 50.0{pct} in 2023 (% of enterprises).",
        f"Pace achieved: +4.56{pct} a year (compound annual growth).",
        f"Pace required: +5.95{pct} a year to go from 40.0{pct} in 2018 to the target of 80{pct} in 2030.",
        "Ratio: 0.77 of the required pace; 0.60 to 0.95 counts as moderate progress.",
        f"At the current pace: 68.3{pct} in 2030, against the target of 80{pct}.",
        "At the current pace the target would be reached in 2034.",
        f"Pace needed from 2023 on: +6.94{pct} a year.",
        "In percentage points: +3.3 a year was needed from 2018 to reach the target, against +2.0 a year "
        "achieved.",
        f"EU value in 2023: 45.0{pct}; Belgium is 5.0 percentage points ahead.",
        "Belgium ranks 4 of 27 EU countries in 2023 (1 = best in the direction of progress).",
        f"Best neighbour: the Netherlands at 55.0{pct}; Belgium is 5.0 percentage points behind.",
    ]


def test_card_no_data():
    assert card(entry(None)) == ["No figures for this indicator yet."]


# ----------------------------------------------------------------- every case: key fragments

CASES = {
    "target_met": (
        {"points": {2018: 70, 2023: 85}, "target": (80, 2030)},
        ["target already met"],
        [f"Target met: 85.0{NBSP}% of enterprises in 2023, against a target of 80{NBSP}% for 2030."],
        ["reached in", "Ratio"],
    ),
    "moving_away_target": (
        {"points": {2018: 50, 2023: 40}, "target": (80, 2030)},
        ["moving away from the target"],
        ["below 0 counts as moving away", "At the current pace the target is not reached."],
        ["reached in"],
    ),
    "never_reached_flat": (
        {"points": {2018: 50, 2023: 50}, "target": (80, 2030)},
        ["not reached at the current pace"],
        ["Ratio: 0.00 of the required pace; 0 to 0.60 counts as insufficient progress."],
        ["reached in"],
    ),
    "on_track_decrease_index": (
        # methodology.md's decrease example: 75 → 60, target 45 in 2030, ratio 1.047
        {"points": {2018: 75, 2023: 60}, "target": (45, 2030), "direction": "decrease", "unit": "index_1990"},
        [
            "Belgium: 60.0 index, 1990 = 100 (2023)",
            "EU 2030 target 45;",
            "at the current pace reached in 2030",
        ],
        [
            "Ratio: 1.05 of the required pace; 0.95 or more counts as on track.",
            "Belgium: 75.0 in 2018, 60.0 in 2023 (index, 1990 = 100).",
            f"Pace needed from 2023 on: −4.03{NBSP}% a year.",  # 0.75^(1/7) - 1
        ],
        ["percentage points"],
    ),
    "target_year_passed": (
        {"points": {2018: 40, 2023: 50}, "target": (60, 2020)},
        ["target year 2020 passed without reaching it"],
        ["The target year 2020 is not after the latest year 2023", "at best insufficient progress"],
        ["Ratio", "Pace needed"],
    ),
    "target_before_start": (
        {"points": {2018: 40, 2023: 50}, "target": (60, 2015)},
        ["target year 2015 passed without reaching it"],
        ["The target year 2015 is not after the start year 2018: no required pace can be computed"],
        ["Ratio", "Pace required"],
    ),
    "one_year_met": (
        {"points": {2025: 90.0}, "target": (80, 2030)},
        ["already at the target level, but one year of data, no trend yet"],
        ["Only one year of data:", "That value already meets the target"],
        ["Years compared"],
    ),
    "belgian_target": (
        {"points": {2018: 40, 2023: 50}, "target": (80, 2030), "scope": "be", "article": None},
        [f"Belgian 2030 target 80{NBSP}%;"],
        [f"Belgian 2030 target 80{NBSP}%, set by {DOC}."],
        ["EU 2030", "reference level"],
    ),
    "to_confirm": (
        {"points": {2018: 40, 2023: 50}, "target": (80, 2030), "scope": "be", "confidence": "to_confirm"},
        [f"Belgian 2030 target 80{NBSP}% (reference level, to be confirmed)"],
        ["(reference level, to be confirmed)"],
        ["EU 2030"],
    ),
    "direction_rising_limit": (
        # 20 → 30: +8.45 % a year; C = 1 - 0.2^4.44 = 0.999 prints as 0.999
        {"points": {2018: 20, 2023: 30}, "limit": 100},
        # A share: the points a year first (30 - 20 over 5 years), the relative rate beside them.
        [
            "direction of change only: rising by 2.0 percentage points a year since 2018 "
            f"(8.4{NBSP}% a year in relative terms)"
        ],
        [
            f"Growth in the direction of progress: +8.45{NBSP}% a year, above the threshold of 1.00{NBSP}%: "
            "improving.",
            "Near the natural limit of 100",
        ],
        ["EU 2030", "Ratio", "Pace required"],
    ),
    "direction_moderate_near_limit": (
        # 90 → 91: +0.22 % a year; C = 1 - 0.9^4.44 = 0.374, threshold 0.37 %
        {"points": {2019: 90, 2024: 91}, "limit": 100},
        [f"rising by 0.2 percentage points a year since 2019 (0.2{NBSP}% a year in relative terms)"],
        [
            f"between 0 and the threshold of 0.37{NBSP}%: little change",
            "multiplied by 0.374 = 1 − (90.0 / 100)^4.44",
        ],
        [],
    ),
    "direction_limit_mirror": (
        {"points": {2019: 120, 2024: 130}, "limit": 100, "unit": "score_0_100"},
        ["rising at"],
        ["The start value is above the natural limit of 100: the threshold is multiplied by"],
        ["(90.0 / 100)"],
    ),
    "direction_flat": (
        {"points": {2018: 50, 2023: 50}},
        ["direction of change only: unchanged since 2018"],
        ["between 0 and the threshold of 1.00"],
        ["rising", "falling"],
    ),
    "direction_moving_away": (
        {"points": {2018: 50, 2023: 40}},
        ["falling by 2.0 percentage points a year"],
        ["below 0: worsening"],
        [],
    ),
    "linear_zero": (
        {"points": {2018: 0, 2023: 5}},
        ["rising at 1.0 percentage points a year since 2018"],
        [
            "Pace achieved: +1.00 percentage points a year, as a linear pace because a value is zero",
            f"the threshold is 1{NBSP}% of the larger of the two values (5.0{NBSP}%)",
        ],
        ["compound annual growth"],
    ),
    "linear_opposite_signs": (
        {"points": {2018: -2, 2023: 3}, "unit": "score_0_100"},
        ["rising at 1.0 a year since 2018"],
        ["because the values have opposite signs"],
        ["percentage points"],
    ),
    "start_outside_window": (
        {"points": {2010: 40, 2023: 50}, "target": (80, 2030)},
        [],
        [
            "Years compared: 2010 and 2023 (the latest year); no earlier year has data in the 5-year window "
            "from 2018, so the nearest year before it is used."
        ],
        [],
    ),
    "base_year": (
        {"points": {2014: 30, 2016: 35, 2023: 50}, "target": (80, 2030), "base_year": 2015},
        [],
        ["Years compared: 2016 (the earliest year with data from the base year 2015 on) and 2023"],
        ["window"],
    ),
    "break_and_flags": (
        {"points": {2018: 40, 2021: 45, 2023: 50}, "target": (80, 2030), "flags": {2021: "b", 2023: "bp"}},
        ["(2023, break in series, provisional)"],
        ["Break in series in 2021, 2023, inside the years compared", "flagged: break in series, provisional"],
        [],
    ),
    "projection_beyond_limit": (
        {"points": {2018: 10, 2023: 40}, "target": (90, 2030), "limit": 100},
        [],
        [f"That projection passes the natural limit of 100{NBSP}%"],
        [],
    ),
    "eu_and_neighbour_decrease": (
        # decrease: a lower value is ahead
        {
            "points": {2014: 100, 2019: 90},
            "direction": "decrease",
            "unit": "g_co2_km",
            "eu": 95.0,
            "rank": 3,
            "neighbour": ("DE", 80.0),
        },
        ["EU 95.0; lower is better; rank 3 of 27"],
        [
            "EU value in 2019: 95.0; Belgium is 5.0 g CO2 per km ahead.",
            "Best neighbour: Germany at 80.0; Belgium is 10.0 g CO2 per km behind.",
        ],
        [],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_case_fragments(case):
    kwargs, in_sentence, in_card, absent = CASES[case]
    ind = entry(**kwargs)
    text, lines = sentence(ind), card(ind)
    joined = "\n".join(lines)
    for fragment in in_sentence:
        assert fragment in text, (fragment, text)
    for fragment in in_card:
        assert fragment in joined, (fragment, joined)
    for fragment in absent:
        assert fragment not in text + "\n" + joined, (fragment, text, joined)


def test_missing_eu_value_and_rank_are_left_out():
    ind = entry({2018: 40, 2023: 50}, target=(80, 2030))
    text = sentence(ind)
    assert "EU 2030 target" in text
    assert "EU " not in text.replace("EU 2030 target", "") and "rank" not in text
    assert not any(line.startswith(("EU value", "Belgium ranks", "Best neighbour")) for line in card(ind))


def test_value_but_none_for_this_geo():
    ind = {**entry({2018: 40, 2023: 50}), "value": None, "latest_period": None, "flag": None}
    ind["card"] = {"method": "eurostat_sdg", "status": "insufficient_data", "reason": "no observation"}
    assert sentence(ind) == "Belgium: no published figure in this series."
    assert card(ind) == ["No value for Belgium in this series."]


# ----------------------------------------------------------------- the card never recomputes the status


@pytest.mark.parametrize(
    ("points", "target", "status"),
    [
        ({2018: 40, 2023: 60}, (80, 2030), "on_track"),
        ({2018: 40, 2023: 50}, (80, 2030), "moderate"),
        ({2018: 40, 2023: 43}, (80, 2030), "insufficient"),
        ({2018: 40, 2023: 38}, (80, 2030), "moving_away"),
    ],
)
def test_ratio_line_names_the_card_status_and_the_constants(points, target, status):
    ind = entry(points, target=target)
    assert ind["status"] == status
    line = next(line for line in card(ind) if line.startswith("Ratio:"))
    assert line.endswith(f"counts as {status_word(status)}.")
    bounds = {
        "on_track": [ON_TRACK_RATIO],
        "moderate": [MODERATE_RATIO, ON_TRACK_RATIO],
        "insufficient": [MODERATE_RATIO],
        "moving_away": [],
    }[status]
    for bound in bounds:
        assert fmt_number(bound, "en", 2) in line


def test_card_follows_the_card_status_not_a_recomputation():
    ind = entry({2018: 40, 2023: 50}, target=(80, 2030))  # ratio 0.77: moderate
    ind["card"] = {**ind["card"], "status": "insufficient"}  # a card that says otherwise wins
    line = next(line for line in card(ind) if line.startswith("Ratio:"))
    assert line.endswith("counts as insufficient progress.")


def test_status_word_uses_the_app_messages():
    app = yaml.safe_load((ROOT / "presentation" / "locales" / "en" / "app.yaml").read_text(encoding="utf-8"))
    for status in STATUSES:
        assert status_word(status) == app[f"status.{status}"]


# ----------------------------------------------------------------- message keys


def _keys_in_source() -> set[str]:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
            assert not any("narrative." in str(p) for p in parts), "narrative keys must be literals"
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"narrative\.[A-Za-z0-9_.]+", node.value)
    }


def test_every_key_used_exists_and_every_key_defined_is_used():
    defined = set(yaml.safe_load(MESSAGES.read_text(encoding="utf-8")))
    used = _keys_in_source()
    assert used, "no narrative.* key found in the source"
    assert sorted(used - defined) == [], "used but not defined"
    assert sorted(defined - used) == [], "defined but not used"
    assert all(k.startswith("narrative.") for k in defined)
    assert defined <= set(catalogue("en"))


def test_neighbour_names_cover_every_neighbour():
    assert set(NEIGHBOURS) | {"BE"} <= set(narrative.NEIGHBOUR_KEYS)


# ----------------------------------------------------------------- the real scorecard from the snapshot


@pytest.fixture(scope="module")
def real_scorecards(tmp_path_factory):
    from pipelines import reports
    from pipelines.warehouse import build_from_snapshot, connect_read_only

    path = tmp_path_factory.mktemp("narrative") / "w.duckdb"
    build_from_snapshot(SNAPSHOT, path)
    con = connect_read_only(path)
    try:
        return {geo: reports.scorecard(con, geo) for geo in ("BE", "NL")}
    finally:
        con.close()


@pytest.mark.parametrize(("geo", "name"), [("BE", "Belgium"), ("NL", "the Netherlands")])
def test_real_scorecard_text(real_scorecards, geo, name):
    indicators = list(real_scorecards[geo].indicators())
    assert len(indicators) > 20
    with_value = 0
    for ind in indicators:
        text = objective_sentence(ind, geo_name=name)
        lines = card_lines(ind, geo_name=name)
        assert lines and all(isinstance(line, str) and line for line in lines), ind.id
        for out in [text, *lines]:
            assert "{" not in out and "}" not in out, (ind.id, out)
            assert not re.search(r"\bnan\b|\bNone\b|\binf\b", out, re.IGNORECASE), (ind.id, out)
            assert out.endswith("."), (ind.id, out)
        if ind.value is not None:
            with_value += 1
            unit = UNITS[ind.unit]
            assert fmt_value(ind.value, unit.percent, "en", unit.decimals) in text, (ind.id, text)
    assert with_value > 15


def test_real_headlines_say_what_the_card_says(real_scorecards):
    ghg = real_scorecards["BE"].indicator("ghg_emissions")
    assert ghg.status not in ("insufficient_data", "target_met")
    assert any(line.endswith(f"counts as {status_word(ghg.status)}.") for line in card(ghg))
    assert "EU 2030 target 45" in sentence(ghg)
