"""reports.labels / reports.label: the user's language first, English only when it has none, then any."""

from __future__ import annotations

import duckdb
import pytest

from pipelines import reports

# Synthetic codes and words: the lookup's order, not any publisher's text.
ROWS = [
    ("src", "*", "dim", "C1", "en", "c1 english shared"),
    ("src", "*", "dim", "C1", "fr", "c1 french shared"),
    ("src", "ds", "dim", "C1", "en", "c1 english of the dataset"),
    ("src", "ds", "dim", "C2", "en", "c2 english of the dataset"),
    ("src", "*", "dim", "C2", "en", "c2 english shared"),
    ("src", "ds", "dim", "C3", "nl", "c3 dutch only"),
    ("src", "ds", "dim", "C3", "fr", "c3 french only"),
    ("other", "*", "dim", "C1", "de", "c1 of another source"),
]


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute(
        "CREATE TABLE labels (source VARCHAR, dataset VARCHAR, dimension VARCHAR, code VARCHAR, "
        "lang VARCHAR, label VARCHAR)"
    )
    c.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?)", ROWS)
    yield c
    c.close()


def test_language_first_then_the_datasets_own_english_then_shared(con):
    fr = reports.labels(con, "src", "ds", "fr")
    assert fr[("dim", "C1")] == "c1 french shared"  # French beats the dataset's own English
    assert fr[("dim", "C2")] == "c2 english of the dataset"  # no French: the dataset's English
    assert fr[("dim", "C3")] == "c3 french only"
    en = reports.labels(con, "src", "ds", "en")
    assert en[("dim", "C1")] == "c1 english of the dataset"
    assert reports.labels(con, "src", "ds", "nl")[("dim", "C3")] == "c3 dutch only"
    # no English and no German: a language the publisher used, the same one every time
    assert reports.labels(con, "src", "ds", "de")[("dim", "C3")] in {"c3 dutch only", "c3 french only"}
    assert reports.labels(con, "src", "ds", "de") == reports.labels(con, "src", "ds", "de")


def test_the_default_is_english_as_before(con):
    assert reports.labels(con, "src", "ds") == reports.labels(con, "src", "ds", "en")


def test_one_label_falls_back_to_english_then_to_the_code(con):
    assert reports.label(con, "src", "dim", "C1", "fr") == "c1 french shared"
    assert reports.label(con, "src", "dim", "C1", "de") == "c1 english shared"
    assert reports.label(con, "src", "dim", "C9", "fr") == "C9"
    assert reports.label(con, "other", "dim", "C1", "de") == "c1 of another source"
