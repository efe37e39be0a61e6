"""Dates a reader sees → the long date of their language as written in Belgium (Babel), in Brussels time."""

from datetime import date, datetime

import pandas as pd
import pytest

from presentation.i18n import fmt_date, fmt_datetime


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "1 December 2026"),
        ("fr", "1 décembre 2026"),
        ("nl", "1 december 2026"),
        ("de", "1. Dezember 2026"),
    ],
)
def test_a_day_in_each_language(lang, expected):
    assert fmt_date(date(2026, 12, 1), lang) == expected
    assert fmt_date("2026-12-01", lang) == expected


def test_a_stated_instant_is_dated_in_brussels():
    # 23:30 UTC on the 27th is already the 28th in Brussels (UTC+1 in winter); a bare time is Brussels time.
    assert fmt_date("2026-02-27T23:30:00Z", "fr") == "28 février 2026"
    assert fmt_date("2026-02-27T23:30:00", "fr") == "27 février 2026"
    assert fmt_date("2025-03-07T23:00:00+01:00", "nl") == "7 maart 2025"
    assert fmt_date(pd.Timestamp("2026-04-08 09:39:49"), "de") == "8. April 2026"


def test_a_time_of_the_log_in_brussels_time():
    # The warehouse writes UTC without an offset; Brussels is UTC+2 in summer.
    assert fmt_datetime(datetime(2026, 7, 1, 9, 5), "fr") == "1 juillet 2026, 11:05"
    assert fmt_datetime(pd.Timestamp("2026-07-01 09:05"), "nl").startswith("1 juli 2026")
    assert "11:05" in fmt_datetime(pd.Timestamp("2026-07-01 09:05"), "nl")


@pytest.mark.parametrize("missing", [None, "", float("nan"), pd.NaT])
def test_a_missing_date_says_so_in_the_language(missing):
    assert fmt_date(missing, "fr") == "non indiquée dans le fichier dont nous disposons"
    assert fmt_datetime(missing, "nl") == "niet vermeld in het bestand dat we hebben"


def test_text_that_is_no_date_is_shown_as_it_is():
    assert fmt_date("spring 2026", "en") == "spring 2026"
