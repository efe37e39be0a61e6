"""A series break (`comparable_from`) → lines cut, a labelled marker, no assessment across it."""

from __future__ import annotations

import pandas as pd

from indicators.catalog import load_indicators
from indicators.progress import SeriesIndex, assess_indicator
from presentation import charts


def _values() -> pd.DataFrame:
    # Synthetic values of one geo over a test-cycle change in 2021 (the shape of sdg_13_31).
    years = [2017, 2018, 2019, 2020, 2021, 2022, 2023]
    values = [100.0, 98.0, 96.0, 90.0, 120.0, 115.0, 110.0]
    return pd.DataFrame({"geo": "BE", "period": [str(y) for y in years], "value": values, "obs_flag": None})


def test_break_cuts_the_line_and_is_labelled():
    fig = charts.trend_chart(_values(), title="t", unit="u", source_line="s",
                             series_break=charts.Level(2021.0, "Break in series"))  # fmt: skip
    line = next(tr for tr in fig.data if tr.meta == "BE")
    xs = list(line.x)
    assert None in xs and xs.index(None) == 4  # a gap between 2020 and 2021
    assert list(line.y)[:4] == [100.0, 98.0, 96.0, 90.0] and list(line.y)[5:] == [120.0, 115.0, 110.0]
    assert any(a.text == "Break in series" for a in fig.layout.annotations)
    assert any(s.x0 == 2020.5 for s in fig.layout.shapes)


def test_without_a_break_the_line_is_whole():
    fig = charts.trend_chart(_values(), title="t", unit="u", source_line="s")
    assert None not in list(next(tr for tr in fig.data if tr.meta == "BE").x)


def test_new_car_co2_is_on_the_current_code_and_assessed_after_the_break_only():
    ind = next(i for i in load_indicators() if i.id == "new_car_co2")
    assert (ind.dataset, ind.comparable_from) == ("sdg_13_31", 2021)
    frame = _values().assign(conf_flag=None, year=lambda d: d["period"].astype(float))
    card = assess_indicator(ind, SeriesIndex.of(frame), "BE")["card"]
    assert card["start_year"] == 2021 and card["latest_year"] == 2023 and card["comparable_from"] == 2021
