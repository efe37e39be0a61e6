"""Progress assessment: expected numbers are worked out by hand (comments show the arithmetic)."""

import json
import math

import pytest

from indicators.assess import EU27, Observation, Target, assess, compare, roll_up


def series(points, flags=None):
    flags = flags or {}
    return [Observation(year, value, flags.get(year)) for year, value in points.items()]


CARD_KEYS = {
    "method", "direction", "window", "base_year", "start_year", "start_value", "latest_year", "latest_value",
    "n_obs", "pace", "actual_rate", "required_rate", "ratio", "growth", "threshold", "limit", "limit_factor",
    "target_value", "target_year", "projected_value", "year_reached", "pace_needed", "pp_needed_per_year",
    "pp_actual_per_year", "break_in_window", "break_years", "flags_start", "flags_latest", "reason", "status",
}  # fmt: skip


# ----------------------------------------------------------------- the worked examples of methodology.md


def test_worked_example_increase():
    res = assess(series({2018: 40, 2023: 50}), direction="increase", target=Target(80, 2030))
    c = res.card
    assert res.status == "moderate"
    assert c["pace"] == "cagr"
    assert c["actual_rate"] == pytest.approx(0.04564, abs=5e-6)  # 1.25^(1/5) - 1
    assert c["required_rate"] == pytest.approx(0.05946, abs=5e-6)  # 2^(1/12) - 1
    assert c["ratio"] == pytest.approx(0.7675, abs=5e-5)
    assert c["projected_value"] == pytest.approx(68.3, abs=0.05)  # 50 * 1.04564^7
    assert c["year_reached"] == pytest.approx(2033.5, abs=0.05)  # 2023 + ln(1.6)/ln(1.04564)
    assert c["pace_needed"] == pytest.approx(0.06945, abs=5e-5)  # 1.6^(1/7) - 1
    assert c["pp_needed_per_year"] == pytest.approx(4.3, abs=0.05)  # (80 - 50)/7 = 4.29
    assert c["pp_actual_per_year"] == pytest.approx(2.0)  # (50 - 40)/5
    assert (c["start_year"], c["start_value"], c["latest_year"], c["latest_value"]) == (2018, 40, 2023, 50)
    assert c["status"] == "moderate" and c["reason"] is None


def test_worked_example_decrease():
    res = assess(series({2018: 75, 2023: 60}), direction="decrease", target=Target(45, 2030))
    c = res.card
    assert res.status == "on_track"
    assert c["actual_rate"] == pytest.approx(-0.04365, abs=5e-6)  # 0.8^(1/5) - 1
    assert c["required_rate"] == pytest.approx(-0.04168, abs=5e-6)  # 0.6^(1/12) - 1
    assert c["ratio"] == pytest.approx(1.047, abs=5e-4)
    assert c["growth"] == pytest.approx(0.04365, abs=5e-6)  # direction-signed: a fall is progress
    assert c["pp_needed_per_year"] == pytest.approx(-15 / 7)
    assert c["pp_actual_per_year"] == pytest.approx(-3.0)


# ----------------------------------------------------------------- with a target: every status


@pytest.mark.parametrize(
    ("direction", "start", "latest", "target", "ratio", "status"),
    [
        # increase, target 80 in 2030 from 40 in 2018: r = 2^(1/12) - 1 = 0.059463
        ("increase", 40, 60, 80, 1.4206, "on_track"),  # a = 1.5^(1/5) - 1 = 0.084472
        ("increase", 40, 42, 80, 0.1649, "insufficient"),  # a = 1.05^(1/5) - 1 = 0.009806
        ("increase", 40, 35, 80, -0.4432, "moving_away"),  # a = 0.875^(1/5) - 1 = -0.026353
        # decrease, target 45 in 2030 from 75 in 2018: r = 0.6^(1/12) - 1 = -0.041675
        ("decrease", 75, 64, 45, 0.7492, "moderate"),  # a = (64/75)^(1/5) - 1 = -0.031223
        ("decrease", 75, 74, 45, 0.0643, "insufficient"),  # a = (74/75)^(1/5) - 1 = -0.002681
        ("decrease", 75, 80, 45, -0.3117, "moving_away"),  # a = (80/75)^(1/5) - 1 = 0.012991
    ],
)
def test_ratio_classes(direction, start, latest, target, ratio, status):
    res = assess(series({2018: start, 2023: latest}), direction=direction, target=Target(target, 2030))
    assert res.status == status
    assert res.card["ratio"] == pytest.approx(ratio, abs=1e-4)


@pytest.mark.parametrize(
    ("latest", "ratio", "status"),
    [
        # start 0 → linear pace; target 12 in 2030 from 2018: r = 12/12 = 1 a year; a = latest/5; R = a
        (4.75, 0.95, "on_track"),  # boundaries are inclusive from below
        (4.70, 0.94, "moderate"),
        (3.00, 0.60, "moderate"),
        (2.95, 0.59, "insufficient"),
        (0.00, 0.00, "insufficient"),
        (-1.0, -0.20, "moving_away"),
    ],
)
def test_ratio_boundaries(latest, ratio, status):
    res = assess(series({2018: 0, 2023: latest}), direction="increase", target=Target(12, 2030))
    assert res.card["ratio"] == pytest.approx(ratio)
    assert res.status == status


@pytest.mark.parametrize(
    ("direction", "latest", "target", "target_year"),
    [
        ("increase", 50, 50, 2030),  # exactly on the target counts as met
        ("increase", 50, 45, 2030),
        ("increase", 50, 45, 2020),  # a past target met is still met
        ("decrease", 60, 60, 2030),
        ("decrease", 60, 65, 2030),
    ],
)
def test_target_already_met(direction, latest, target, target_year):
    start = 40 if direction == "increase" else 75
    res = assess(series({2018: start, 2023: latest}), direction=direction, target=Target(target, target_year))
    assert res.status == "target_met"
    assert res.card["target_met_latest"] is True
    assert res.card["year_reached"] == 2023


def test_start_already_beyond_target_then_falling_back_is_moving_away():
    # 90 → 70 with an increase target of 80: a = (7/9)^(1/5) - 1 = -0.04902, r = (8/9)^(1/12) - 1 = -0.009767.
    # a/r would be +5.02 ("on track"); the direction decides the sign: R = -0.04902/0.009767 = -5.02.
    res = assess(series({2018: 90, 2023: 70}), direction="increase", target=Target(80, 2030))
    assert res.status == "moving_away"
    assert res.card["ratio"] == pytest.approx(-5.019, abs=1e-3)
    assert res.card["year_reached"] is None


def test_target_equal_to_start_value_not_met_is_moving_away():
    res = assess(series({2018: 40, 2023: 35}), direction="increase", target=Target(40, 2030))
    assert res.status == "moving_away"
    assert res.card["required_rate"] == 0
    assert res.card["ratio"] is None


def test_target_year_reached_without_meeting_it_is_at_best_insufficient():
    # T = t = 2023: a = (49/40)^(1/5) - 1 = 0.041423, r = 1.25^(1/5) - 1 = 0.045640, R = 0.9076 (moderate
    # by the ratio alone), but the deadline has come and gone.
    res = assess(series({2018: 40, 2023: 49}), direction="increase", target=Target(50, 2023))
    c = res.card
    assert res.status == "insufficient"
    assert c["ratio"] == pytest.approx(0.9076, abs=1e-4)
    assert c["target_year_passed"] is True
    assert c["projected_value"] is None and c["pace_needed"] is None and c["pp_needed_per_year"] is None
    # at 4.14 % a year the 50 comes ln(50/49)/ln(1.041423) = 0.49 years after 2023
    assert c["year_reached"] == pytest.approx(2023.49, abs=0.01)


def test_past_target_year_moving_away():
    res = assess(series({2018: 40, 2023: 35}), direction="increase", target=Target(50, 2021))
    assert res.status == "moving_away"
    assert res.card["target_year_passed"] is True
    assert res.card["year_reached"] is None


def test_target_year_not_after_start_is_insufficient_data():
    res = assess(series({2018: 40, 2023: 45}), direction="increase", target=Target(50, 2018))
    assert res.status == "insufficient_data"
    assert res.card["required_rate"] is None
    assert "2018" in res.card["reason"]
    assert res.card["actual_rate"] == pytest.approx(0.023837, abs=1e-6)  # 1.125^(1/5) - 1


# ----------------------------------------------------------------- linear fallback: zero and negative values


@pytest.mark.parametrize(
    ("points", "direction", "target", "actual", "required", "ratio", "status"),
    [
        # zero start: a = (6 - 0)/5 = 1.2 a year, r = (20 - 0)/12 = 1.6667, R = 0.72
        ({2018: 0, 2023: 6}, "increase", 20, 1.2, 20 / 12, 0.72, "moderate"),
        # negative start, positive end: a = (6 - -4)/5 = 2, r = (20 - -4)/12 = 2, R = 1
        ({2018: -4, 2023: 6}, "increase", 20, 2.0, 2.0, 1.0, "on_track"),
        # positive start, zero target (decrease): a = (6 - 10)/5 = -0.8, r = (0 - 10)/12 = -0.8333, R = 0.96
        ({2018: 10, 2023: 6}, "decrease", 0, -0.8, -10 / 12, 0.96, "on_track"),
    ],
)
def test_linear_fallback_with_target(points, direction, target, actual, required, ratio, status):
    res = assess(series(points), direction=direction, target=Target(target, 2030))
    c = res.card
    assert c["pace"] == "linear"
    assert c["actual_rate"] == pytest.approx(actual)
    assert c["required_rate"] == pytest.approx(required)
    assert c["ratio"] == pytest.approx(ratio)
    assert res.status == status


def test_linear_projection():
    res = assess(series({2018: 0, 2023: 6}), direction="increase", target=Target(20, 2030))
    c = res.card
    assert c["projected_value"] == pytest.approx(14.4)  # 6 + 1.2 * 7
    assert c["year_reached"] == pytest.approx(2023 + 14 / 1.2)  # 2034.67
    assert c["pace_needed"] == pytest.approx(2.0)  # (20 - 6)/7, in units a year
    assert c["pp_needed_per_year"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("points", "direction", "growth", "threshold", "status"),
    [
        # 0 → 5: 1 unit a year against 1 % of max(|0|, |5|) = 0.05
        ({2018: 0, 2023: 5}, "increase", 1.0, 0.05, "on_track"),
        # -4 → 6: 2 units a year against 1 % of 6 = 0.06
        ({2018: -4, 2023: 6}, "increase", 2.0, 0.06, "on_track"),
        ({2018: -4, 2023: 6}, "decrease", -2.0, 0.06, "moving_away"),
        # 10 → 0 for a decrease: 2 units a year against 0.1
        ({2018: 10, 2023: 0}, "decrease", 2.0, 0.1, "on_track"),
        # 0 → 0: no move at all
        ({2018: 0, 2023: 0}, "increase", 0.0, 0.0, "moderate"),
    ],
)
def test_linear_fallback_without_target(points, direction, growth, threshold, status):
    res = assess(series(points), direction=direction)
    c = res.card
    assert c["pace"] == "linear"
    assert c["threshold_basis"].startswith("linear")
    assert c["growth"] == pytest.approx(growth)
    assert c["threshold"] == pytest.approx(threshold)
    assert res.status == status


@pytest.mark.parametrize(
    ("points", "direction", "growth", "status"),
    [
        # -10 → -5 rises towards zero: CAGR of the magnitude = 0.5^(1/5) - 1 = -0.129449, sign flipped
        ({2018: -10, 2023: -5}, "increase", 0.129449, "on_track"),
        ({2018: -10, 2023: -5}, "decrease", -0.129449, "moving_away"),
        # -5 → -10 falls: magnitude CAGR 2^(1/5) - 1 = 0.148698, a fall is progress for a decrease
        ({2018: -5, 2023: -10}, "decrease", 0.148698, "on_track"),
    ],
)
def test_both_negative_keeps_cagr_with_sign_flip(points, direction, growth, status):
    res = assess(series(points), direction=direction)
    assert res.card["pace"] == "cagr"
    assert res.card["sign"] == -1
    assert res.card["growth"] == pytest.approx(growth, abs=1e-6)
    assert res.status == status


def test_both_negative_with_target_ratio():
    # -10 → -5, target -2 in 2030: a = 0.5^(1/5) - 1 = -0.129449, r = 0.2^(1/12) - 1 = -0.125515, R = 1.0313
    res = assess(series({2018: -10, 2023: -5}), direction="increase", target=Target(-2, 2030))
    assert res.card["pace"] == "cagr"
    assert res.card["ratio"] == pytest.approx(1.0313, abs=1e-4)
    assert res.status == "on_track"


# ----------------------------------------------------------------- without a target


@pytest.mark.parametrize(
    ("points", "direction", "growth", "status"),
    [
        ({2018: 50, 2023: 45}, "increase", -0.020852, "moving_away"),  # 0.9^(1/5) - 1
        ({2018: 50, 2023: 45}, "decrease", 0.020852, "on_track"),
        ({2018: 50, 2023: 51}, "increase", 0.003968, "moderate"),  # 1.02^(1/5) - 1
        ({2018: 50, 2023: 51}, "decrease", -0.003968, "moving_away"),
        ({2018: 50, 2023: 50}, "increase", 0.0, "moderate"),
    ],
)
def test_direction_only(points, direction, growth, status):
    res = assess(series(points), direction=direction)
    assert res.card["growth"] == pytest.approx(growth, abs=1e-6)
    assert res.card["threshold"] == pytest.approx(0.01)
    assert res.card["limit_factor"] == 1.0
    assert res.card["projected_value"] is None and res.card["year_reached"] is None
    assert res.status == status


C_95 = 0.203670  # 1 - 0.95^4.44 = 1 - exp(4.44 * ln 0.95) = 1 - 0.796330


@pytest.mark.parametrize(
    ("start", "limit", "rate", "factor", "status"),
    [
        (95, 100, 0.003, C_95, "on_track"),  # 0.3 % > 0.2037 %
        (95, 100, 0.001, C_95, "moderate"),  # 0.1 % ≤ 0.2037 %
        (95, None, 0.003, 1.0, "moderate"),  # without the limit 0.3 % is under 1 %
        (50, 100, 0.005, 1 - 0.5**4.44, "moderate"),  # C = 0.9539: far from the ceiling, barely shrinks
        (105, 100, 0.003, C_95, "on_track"),  # above L: Open SDG mirror, ((200 - 105)/100)^4.44
        (250, 100, 0.003, 1.0, "moderate"),  # at or above 2L: C = 1
    ],
)
def test_natural_limit(start, limit, rate, factor, status):
    res = assess(series({2018: start, 2023: start * (1 + rate) ** 5}), direction="increase", limit=limit)
    c = res.card
    assert c["growth"] == pytest.approx(rate, abs=1e-9)
    assert c["limit_factor"] == pytest.approx(factor, abs=1e-6)
    assert c["threshold"] == pytest.approx(0.01 * factor, abs=1e-8)
    assert res.status == status


def test_limit_not_used_with_a_target():
    res = assess(series({2018: 95, 2023: 96}), direction="increase", target=Target(99, 2030), limit=100)
    assert res.card["limit_factor"] is None and res.card["threshold"] is None
    assert res.card["limit"] == 100


# ----------------------------------------------------------------- windows, years and data gaps


@pytest.mark.parametrize(
    ("points", "window", "base_year", "start_year", "n_obs", "rate"),
    [
        # irregular survey years: t - 5 = 2020 → 2021; rate over 4 real years: 1.5^(1/4) - 1
        ({2021: 10, 2023: 12, 2024: 13, 2025: 15}, 5, None, 2021, 4, 0.106682),
        # t - 2 = 2023 → 2023: (15/12)^(1/2) - 1
        ({2021: 10, 2023: 12, 2024: 13, 2025: 15}, 2, None, 2023, 3, 0.118034),
        # t - 3 = 2022 has no survey → next one, 2023
        ({2021: 10, 2023: 12, 2024: 13, 2025: 15}, 3, None, 2023, 3, 0.118034),
        # nothing in the window but t itself → nearest before: 2015, (12/10)^(1/8) - 1
        ({2015: 10, 2023: 12}, 5, None, 2015, 2, 0.023051),
        # base year overrides the window: 2015 → 2023 is 8 years, 2^(1/8) - 1
        ({2015: 10, 2018: 15, 2023: 20}, 5, 2015, 2015, 3, 0.090508),
        # base year 2016 missing → next observation 2018: (20/15)^(1/5) - 1
        ({2015: 10, 2018: 15, 2023: 20}, 5, 2016, 2018, 2, 0.059224),
        # plan approved 2022, data 2021 and 2023 only → 2023 is t, so the nearest before: 2021
        ({2021: 10, 2023: 12}, 5, 2022, 2021, 2, 0.095445),
    ],
)
def test_window_start(points, window, base_year, start_year, n_obs, rate):
    res = assess(series(points), direction="increase", window=window, base_year=base_year)
    c = res.card
    assert c["start_year"] == start_year
    assert c["n_obs"] == n_obs
    assert c["actual_rate"] == pytest.approx(rate, abs=1e-6)
    assert c["window"] == window and c["base_year"] == base_year


def test_start_outside_window_is_recorded():
    assert assess(series({2015: 10, 2023: 12}), direction="increase").card["start_outside_window"] is True
    assert assess(series({2018: 10, 2023: 12}), direction="increase").card["start_outside_window"] is False


@pytest.mark.parametrize(
    ("points", "n_total", "latest"),
    [
        ({}, 0, None),
        ({2023: 12}, 1, 12),
        ({2021: float("nan"), 2023: 12}, 1, 12),
        ({2021: None, 2023: 12}, 1, 12),
    ],
)
def test_insufficient_data(points, n_total, latest):
    res = assess(series(points), direction="increase", target=Target(20, 2030))
    c = res.card
    assert res.status == "insufficient_data" == c["status"]
    assert c["n_obs_total"] == n_total
    assert c["latest_value"] == latest
    assert c["latest_year"] == (2023 if latest is not None else None)
    assert "at least 2" in c["reason"]
    assert c["actual_rate"] is None and c["ratio"] is None


def test_single_observation_already_at_target_stays_insufficient_data_but_says_so():
    res = assess(series({2023: 25}), direction="increase", target=Target(20, 2030))
    assert res.status == "insufficient_data"
    assert res.card["target_met_latest"] is True


def test_two_observations_in_the_same_year_count_once_last_wins():
    obs = [Observation(2023, 10), Observation(2023, 12)]
    res = assess(obs, direction="increase")
    assert res.status == "insufficient_data"
    assert res.card["duplicate_years"] == [2023]
    assert res.card["latest_value"] == 12


def test_duplicate_year_inside_a_longer_series():
    obs = [Observation(2018, 10), Observation(2023, 11), Observation(2023, 12)]
    res = assess(obs, direction="increase")
    assert res.card["latest_value"] == 12
    assert res.card["actual_rate"] == pytest.approx(0.037137, abs=1e-6)  # 1.2^(1/5) - 1


def test_nan_and_none_values_dropped_and_listed():
    obs = [
        Observation(2018, float("nan"), "c"),
        Observation(2019, 40),
        Observation(2021, None),
        Observation(2023, 50),
    ]
    res = assess(obs, direction="increase")
    c = res.card
    assert c["dropped_years"] == [2018, 2021]
    assert c["start_year"] == 2019  # 2018 would have been the start
    assert c["actual_rate"] == pytest.approx(0.057371, abs=1e-6)  # 1.25^(1/4) - 1
    assert [o["year"] for o in c["observations"]] == [2019, 2023]


def test_unsorted_input_is_sorted_by_year():
    obs = [Observation(2023, 50), Observation(2018, 40), Observation(2020, 45)]
    c = assess(obs, direction="increase").card
    assert (c["start_year"], c["latest_year"]) == (2018, 2023)


# ----------------------------------------------------------------- flags


@pytest.mark.parametrize(
    ("flags", "in_window", "break_years"),
    [
        ({2016: "b"}, False, []),  # break before the window: s→t is comparable
        ({2020: "b"}, True, [2020]),
        ({2023: "bp"}, True, [2023]),
        ({2018: "b"}, False, []),  # break on s only cuts s from the years before it
        ({2016: "b", 2020: "b", 2022: "eb"}, True, [2020, 2022]),
        ({2020: "p"}, False, []),
    ],
)
def test_break_in_window(flags, in_window, break_years):
    points = {2016: 30, 2018: 40, 2020: 44, 2022: 47, 2023: 50}
    res = assess(series(points, flags), direction="increase", target=Target(80, 2030))
    assert res.card["break_in_window"] is in_window
    assert res.card["break_years"] == break_years
    assert res.status == "moderate"  # the status is still computed


def test_flags_of_start_and_latest():
    res = assess(series({2018: 40, 2023: 50}, {2018: "e", 2023: "bp"}), direction="increase")
    assert res.card["flags_start"] == ["e"]
    assert res.card["flags_latest"] == ["b", "p"]


# ----------------------------------------------------------------- the card


@pytest.mark.parametrize(
    ("points", "kwargs"),
    [
        ({2018: 40, 2023: 50}, {"target": Target(80, 2030)}),
        ({2018: 40, 2023: 50}, {"limit": 100}),
        ({2018: 0, 2023: 5}, {"target": Target(20, 2030)}),
        ({2023: 5}, {}),
        ({}, {}),
        ({2018: 40, 2023: 45}, {"target": Target(50, 2018)}),
    ],
)
def test_card_complete_and_json_serialisable(points, kwargs):
    c = assess(series(points), direction="increase", **kwargs).card
    assert CARD_KEYS <= c.keys()
    assert c["method"] == "eurostat_sdg"
    json.dumps(c, allow_nan=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"direction": "up"},
        {"direction": "increase", "window": 0},
        {"direction": "increase", "limit": 0},
        {"direction": "increase", "limit": float("nan")},
        {"direction": "increase", "target": Target(float("nan"), 2030)},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        assess(series({2018: 40, 2023: 50}), **kwargs)


# ----------------------------------------------------------------- roll-up


@pytest.mark.parametrize(
    ("statuses", "status", "mean", "n_assessed", "n_without"),
    [
        (["on_track", "moderate", "moving_away", "insufficient_data"], "moderate", 5 / 3, 3, 1),  # 1.67 → 2
        (["on_track", "moderate"], "on_track", 2.5, 2, 0),  # half up: 2.5 → 3 (round() would give 2)
        (["insufficient", "moving_away"], "insufficient", 0.5, 2, 0),  # 0.5 → 1 (round() would give 0)
        (["moderate", "insufficient"], "moderate", 1.5, 2, 0),
        (["target_met", "target_met"], "on_track", 3.0, 2, 0),
        (["target_met", "moving_away", "moving_away"], "insufficient", 1.0, 3, 0),
        (["moving_away", "insufficient_data"], "moving_away", 0.0, 1, 1),
        (["insufficient_data", "insufficient_data"], "insufficient_data", None, 0, 2),
        ([], "insufficient_data", None, 0, 0),
    ],
)
def test_roll_up(statuses, status, mean, n_assessed, n_without):
    r = roll_up(statuses)
    assert r.status == status
    assert r.mean_score == (pytest.approx(mean) if mean is not None else None)
    assert (r.n_assessed, r.n_without_data) == (n_assessed, n_without)


def test_roll_up_counts_every_status():
    r = roll_up(["on_track", "moderate", "moving_away", "insufficient_data", "on_track"])
    assert r.counts == {
        "target_met": 0,
        "on_track": 2,
        "moderate": 1,
        "insufficient": 0,
        "moving_away": 1,
        "insufficient_data": 1,
    }


def test_roll_up_rejects_unknown_status():
    with pytest.raises(ValueError, match="red"):
        roll_up(["on_track", "red"])


# ----------------------------------------------------------------- EU comparison

VALUES = {
    "DE": 50.0,
    "BE": 40.0,
    "FR": 40.0,
    "NL": 30.0,
    "LU": None,  # confidential
    "IT": float("nan"),
    "NO": 60.0,  # not a member: would rank first
    "EU27_2020": 45.0,
    "EA20": 47.0,
}


@pytest.mark.parametrize(
    ("geo", "direction", "rank", "best", "best_value", "gap_best", "gap_eu"),
    [
        ("BE", "increase", 2, "DE", 50.0, -10.0, -5.0),  # DE 50 > BE = FR 40 > NL 30
        ("BE", "decrease", 2, "NL", 30.0, 10.0, -5.0),  # NL 30 < BE = FR 40 < DE 50
        ("FR", "increase", 2, "DE", 50.0, -10.0, -5.0),  # shares BE's rank
        ("NL", "increase", 4, "DE", 50.0, -20.0, -15.0),  # competition ranking: 1, 2, 2, 4
        ("DE", "increase", 1, "FR", 40.0, 10.0, 5.0),  # DE is not its own neighbour; FR listed before LU
        ("NL", "decrease", 1, "FR", 40.0, -10.0, -15.0),  # FR before DE, LU has no value
    ],
)
def test_compare(geo, direction, rank, best, best_value, gap_best, gap_eu):
    c = compare(VALUES, geo=geo, year=2023, direction=direction)
    assert c.rank == rank
    assert c.n_ranked == 4  # LU, IT missing; NO, EU27_2020, EA20 not members
    assert (c.best_neighbour, c.best_neighbour_value) == (best, best_value)
    assert c.gap_to_best_neighbour == pytest.approx(gap_best)
    assert c.gap_to_eu == pytest.approx(gap_eu)
    assert (c.eu_value, c.eu_year, c.year) == (45.0, 2023, 2023)


def test_compare_neighbour_tie_goes_to_the_first_listed():
    c = compare({"BE": 10.0, "NL": 20.0, "DE": 20.0}, year=2023, direction="increase")
    assert c.best_neighbour == "NL"


def test_compare_missing_own_and_eu_values():
    c = compare({"BE": None, "NL": 30.0, "DE": 20.0}, year=2024, direction="decrease")
    assert c.rank is None and c.gap_to_eu is None and c.gap_to_best_neighbour is None
    assert c.eu_value is None and c.eu_year is None
    assert (c.best_neighbour, c.best_neighbour_value) == ("DE", 20.0)
    assert c.n_ranked == 2


def test_compare_non_member_geo_gets_no_rank():
    c = compare(VALUES, geo="NO", year=2023, direction="increase")
    assert c.rank is None
    assert c.gap_to_eu == pytest.approx(15.0)


def test_eu27_codes():
    assert len(EU27) == len(set(EU27)) == 27
    assert "EL" in EU27 and "GR" not in EU27 and "UK" not in EU27
    assert {"BE", "NL", "FR", "DE", "LU", "HR", "MT", "CY"} <= set(EU27)


def test_compare_rejects_unknown_direction():
    with pytest.raises(ValueError):
        compare(VALUES, year=2023, direction="higher")


def test_no_value_is_rounded_in_the_card():
    c = assess(series({2018: 40, 2023: 50}), direction="increase", target=Target(80, 2030)).card
    assert math.isclose(c["actual_rate"], 0.04563955259127317, rel_tol=1e-12)
    assert math.isclose(c["ratio"], 0.7675273727852806, rel_tol=1e-12)


def test_compare_gaps_carry_no_binary_noise():
    c = compare({"BE": 24.1, "NL": 22.3, "EU27_2020": 22.3}, year=2023, direction="increase")
    assert 24.1 - 22.3 != 1.8  # the noise this guards against
    assert c.gap_to_eu == 1.8 and c.gap_to_best_neighbour == 1.8
