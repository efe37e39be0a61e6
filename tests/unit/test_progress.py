"""indicators.progress: one indicator's series (synthetic) → assessment rows, comparable_from, roll-ups."""

import pandas as pd
import pytest

from indicators.model import Indicator
from indicators.progress import SeriesIndex, assess_indicator, objective_rollups
from indicators.vocabulary import LANGS


def _ind(**extra) -> Indicator:
    doc = {"id": "synthetic", "objective": 4, "unit": "pc_households", "direction": "increase"}
    doc |= {"title": dict.fromkeys(LANGS, "T"), "definition": {"en": "D"}}
    doc |= {"source": "eurostat", "dataset": "x", "series": {"a": "b"}}
    doc["target"] = {
        "value": 100,
        "year": 2030,
        "scope": "eu",
        "document": dict.fromkeys(LANGS, "Synthetic document"),
        "confidence": "firm",
    }
    return Indicator.model_validate(doc | extra)


def _frame(points: dict[str, dict[int, float]]) -> pd.DataFrame:
    rows = [
        {"geo": g, "period": str(y), "year": float(y), "value": v, "obs_flag": None, "conf_flag": None}
        for g, series in points.items()
        for y, v in series.items()
    ]
    return pd.DataFrame(rows)


# A jump from a definition change between 2018 and 2019, then slow growth.
SERIES = {
    "BE": {2016: 1.0, 2017: 1.0, 2018: 2.0, 2019: 60.0, 2020: 61.0, 2021: 62.0},
    "EU27_2020": {2021: 70.0},
}


def test_comparable_from_keeps_years_before_a_definition_change_out_of_the_status():
    index = SeriesIndex.of(_frame(SERIES))
    naive = assess_indicator(_ind(), index, "BE")
    honest = assess_indicator(_ind(comparable_from=2019), index, "BE")
    assert naive["card"]["start_year"] == 2016 and naive["status"] == "on_track"
    assert honest["card"]["start_year"] == 2019 and honest["card"]["comparable_from"] == 2019
    # 60 → 62 over 2 years is 1.65 % a year against the 4.75 % needed to reach 100 by 2030: ratio 0.35.
    assert honest["status"] == "insufficient"
    assert (honest["latest_period"], honest["latest_value"], honest["eu_value"]) == ("2021", 62.0, 70.0)


def test_missing_series_and_missing_geo_are_insufficient_data_with_a_reason():
    no_data = assess_indicator(_ind(), None, "BE")
    assert no_data["status"] == "insufficient_data" and "no data" in no_data["card"]["reason"]
    other = assess_indicator(_ind(), SeriesIndex.of(_frame(SERIES)), "FR")
    assert other["status"] == "insufficient_data" and "no observation for FR" in other["card"]["reason"]


def test_rollups_per_objective_and_geo():
    rows = pd.DataFrame(
        [
            {"objective": 4, "geo": "BE", "status": "on_track"},
            {"objective": 4, "geo": "BE", "status": "moving_away"},
            {"objective": 4, "geo": "BE", "status": "insufficient_data"},
            {"objective": 4, "geo": "NL", "status": "moderate"},
        ]
    )
    from indicators.catalog import load_objectives

    out = objective_rollups(load_objectives(), rows).set_index("geo")
    # BE: (3 + 0) / 2 = 1.5 → rounds half up to 2 → moderate; one without data.
    assert out.loc["BE", "status"] == "moderate" and out.loc["BE", "n_without_data"] == 1
    assert out.loc["NL", "status"] == "moderate" and out.loc["NL", "n_assessed"] == 1


def test_stale_indicators_alone_give_no_objective_status_and_the_evidence_says_why():
    from indicators.catalog import load_objectives

    rows = pd.DataFrame(
        [  # synthetic: objective 6, one stale assessed indicator; objective 7, one current and one stale
            {"objective": 6, "geo": "BE", "indicator_id": "a", "status": "moving_away", "stale": True,
             "latest_year": 2019.0},
            {"objective": 7, "geo": "BE", "indicator_id": "b", "status": "on_track", "stale": False,
             "latest_year": 2024.0},
            {"objective": 7, "geo": "BE", "indicator_id": "c", "status": "moving_away", "stale": True,
             "latest_year": 2020.0},
        ]
    )  # fmt: skip
    out = objective_rollups(load_objectives(), rows, {6: "a", 7: "c"}).set_index("objective")
    assert out.loc[6, "status"] == "insufficient_data" and out.loc[6, "n_assessed"] == 1
    assert out.loc[6, "evidence"]["level"] == "none" and out.loc[6, "evidence"]["n_stale"] == 1
    # objective 7: only the current indicator counts (on_track), the stale one is shown, not averaged in
    assert out.loc[7, "status"] == "on_track" and out.loc[7, "n_current"] == 1
    evidence = out.loc[7, "evidence"]
    # The years are those of the data the status rests on: the stale 2020 is not among them.
    want = {"level": "limited", "n_indicators": 2, "first_year": 2024, "last_year": 2024, "n_stale": 1}
    assert {k: evidence[k] for k in want} == want
    # The counts add up to what the status rests on: the stale "moving away" is not counted.
    assert out.loc[7, "counts"]["on_track"] == 1 and out.loc[7, "counts"]["moving_away"] == 0
    assert (out.loc[7, "headline_id"], out.loc[7, "headline_status"]) == ("c", "moving_away")


DIRECTION = {"status_kind": "direction"}


def test_an_objective_resting_only_on_direction_only_indicators_takes_the_words_of_a_direction():
    from indicators.catalog import load_objectives

    rows = pd.DataFrame(
        [  # synthetic: objective 2, two direction-only indicators; objective 3, one with a target besides
            {"objective": 2, "geo": "BE", "indicator_id": "a", "status": "on_track", **DIRECTION},
            {"objective": 2, "geo": "BE", "indicator_id": "b", "status": "on_track", **DIRECTION},
            {"objective": 3, "geo": "BE", "indicator_id": "c", "status": "on_track", **DIRECTION},
            {"objective": 3, "geo": "BE", "indicator_id": "d", "status": "moderate", "status_kind": "target"},
            # a stale indicator with a target does not make objective 2's words those of a target
            {"objective": 2, "geo": "BE", "indicator_id": "e", "status": "moderate", "status_kind": "target",
             "stale": True, "latest_year": 2019.0},
        ]
    ).fillna({"stale": False})  # fmt: skip
    out = objective_rollups(load_objectives(), rows).set_index("objective")
    assert out.loc[2, "status_kind"] == "direction" and out.loc[3, "status_kind"] == "target"


@pytest.mark.parametrize(
    ("n_current", "n_indicators", "level"),
    [
        (0, 3, "none"),
        (1, 1, "limited"),
        (1, 3, "limited"),
        (2, 5, "limited"),
        (2, 4, "strong"),
        (3, 3, "strong"),
    ],
)
def test_evidence_is_strong_only_with_enough_current_indicators_and_enough_of_the_objective(
    n_current, n_indicators, level
):
    from indicators.assess import evidence_level

    assert evidence_level(n_current, n_indicators) == level


@pytest.mark.parametrize(
    "mean, expected",
    [
        (0, "moving_away"),
        (0.67, "moving_away"),
        (1.0, "moderate"),
        (2, "moderate"),
        (2.5, "on_track"),
        (3, "on_track"),
    ],
)
def test_a_direction_only_objective_takes_the_nearest_direction_status(mean, expected):
    from indicators.progress import direction_status

    assert direction_status(mean) == expected  # never 'insufficient', a word about a target
