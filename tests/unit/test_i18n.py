"""Message catalogue: every key the code asks for exists; number and date formats per language."""

import re
from pathlib import Path

import pandas as pd
import pytest
from babel import Locale

from indicators.vocabulary import DEFAULT_LANG, LANGS, STATUSES
from pipelines.settings import REPO_ROOT
from presentation import explore
from presentation.i18n import catalogue, fmt_date, fmt_number, fmt_value, number_separators, t

KEY_CALL = re.compile(r"""\bt\(\s*f?["']([a-z0-9_.]+)["']""")
# Keys built at run time from a code: each family is checked against the codes it can take.
DYNAMIC = {
    "status.": STATUSES,
    "table.col.": explore.TABLE_COLUMNS,
    "flag.": ("b", "p", "e", "u", "d", "C", "m", "n", "f", "i"),
    "chart.target_scope.": ("eu", "be"),
    "explorer.view.": ("trend", "ranking", "table"),
    "sources.built_from.": ("snapshot", "raw", "refresh"),
    "sources.col.": (
        "source",
        "dataset",
        "title",
        "format",
        "upstream_updated",
        "read_at",
        "n_obs",
        "licence",
        "attribution",
        "location",
        "indicator",
        "objective",
        "why",
        "started",
        "bytes",
        "error",
        "title_english",
    ),  # fmt: skip
    "sources.licence.": ("eurostat", "desi", "statbel"),
    "sources.why.": ("no_dataset", "no_series", "several"),
    "sources.fetch_status.": ("ok", "superseded", "updated", "unchanged", "partial", "failed", "skipped"),
    "terminal.col.": ("indicator", "period", "eu", "position", "target", "progress"),
}


def _literal_keys() -> set[str]:
    keys = set()
    for path in [*Path(REPO_ROOT, "dashboard").rglob("*.py"), *Path(REPO_ROOT, "presentation").rglob("*.py")]:
        keys |= {k for k in KEY_CALL.findall(path.read_text()) if not k.endswith(".")}
    return keys


def test_every_literal_key_exists_in_english():
    missing = sorted(k for k in _literal_keys() if k not in catalogue("en"))
    assert not missing, missing


@pytest.mark.parametrize("prefix", sorted(DYNAMIC))
def test_every_dynamic_key_exists_in_english(prefix):
    missing = [prefix + code for code in DYNAMIC[prefix] if prefix + code not in catalogue("en")]
    assert not missing, missing


PLACEHOLDER = re.compile(r"{(\w+)}")


OTHER_LANGS = [lang for lang in LANGS if lang != DEFAULT_LANG]


def test_german_is_one_of_the_languages():
    assert {"en", "fr", "nl", "de"} <= set(LANGS)


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_english_message_exists_in_every_language_with_the_same_placeholders(lang):
    en, other = catalogue("en"), catalogue(lang)
    assert sorted(set(en) - set(other)) == [], "missing translations"
    assert sorted(set(other) - set(en)) == [], "keys with no English original"
    for key, text in en.items():
        wanted = set().union(*(PLACEHOLDER.findall(f) for f in _forms(text)))
        for form in _forms(other[key]):
            assert form.strip(), key
            assert set(PLACEHOLDER.findall(form)) <= wanted, key
        assert set().union(*(PLACEHOLDER.findall(f) for f in _forms(other[key]))) == wanted, key


def _forms(text: str | dict[str, str]) -> list[str]:
    return list(text.values()) if isinstance(text, dict) else [text]


@pytest.mark.parametrize("lang", LANGS)
def test_plural_forms_are_the_languages_own(lang):
    """A message with plural forms has 'one', 'other' and only CLDR categories of its language (a language may
    write one text for every count, as Dutch does for "procentpunt")."""
    categories = {*Locale.parse(lang).plural_form.tags, "other"}
    for key, text in catalogue(lang).items():
        if isinstance(text, dict):
            assert "other" in text and set(text) <= categories, (key, sorted(text))
            assert "one" in text, key  # all four languages have a singular


def test_a_message_with_plural_forms_takes_the_form_of_the_count_in_each_language():
    # French counts 0 as singular, English and Dutch do not (CLDR).
    assert t("evidence.line", "fr", count=0, level="x", n_current=0, n=3, years="").startswith(
        "x\u00a0: 0 indicateur "
    )
    assert "1 indicateur sur 3 évalué " in t(
        "evidence.line", "fr", count=1, level="x", n_current=1, n=3, years=""
    )
    assert "2 indicateurs sur 3 évalués " in t(
        "evidence.line", "fr", count=2, level="x", n_current=2, n=3, years=""
    )
    assert "0 of 3 indicators" in t("evidence.line", "en", count=0, level="x", n_current=0, n=3, years="")
    assert "1 of 3 indicators" in t("evidence.line", "en", count=1, level="x", n_current=1, n=3, years="")
    with pytest.raises(ValueError, match="count="):
        t("evidence.line", "fr", level="x", n_current=1, n=3, years="")


@pytest.mark.parametrize(
    "x, lang, expected",
    [
        (0.9, "fr", "+0,9 point de pourcentage"),
        (1.5, "fr", "+1,5 point de pourcentage"),
        (2.0, "fr", "+2,0 points de pourcentage"),
        (1.0, "en", "+1.0 percentage points"),  # "1.0" is plural in English, "1" would not be
        (0.9, "en", "+0.9 percentage points"),
        (0.9, "nl", "+0,9 procentpunt"),
    ],
)
def test_percentage_points_agree_with_the_number_as_printed(x, lang, expected):
    from pipelines.contracts import IndicatorEntry
    from presentation.narrative import _amount

    ind = IndicatorEntry(id="x", title="x", unit="pc_individuals", direction="increase", data="available",
                         status="insufficient_data")  # fmt: skip
    assert _amount(x, ind, lang, signed=True) == expected


def test_on_screen_tables_use_the_readers_decimal_mark():
    table = pd.DataFrame({"geo": ["BE", "FR"], "value": [1234.5, None], "obs_flag": [None, "b"]})
    assert list(explore.on_screen(table, "fr")["Valeur"]) == ["1\u202f234,5", ""]
    assert list(explore.on_screen(table, "nl")["Waarde"]) == ["1.234,5", ""]
    assert explore.on_screen(table, "en")["Value"].iloc[0] == 1234.5  # numeric, sortable


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_catalogue_texts_are_translated(lang):
    from indicators.catalog import load_indicators, load_objectives

    for obj in load_objectives():
        assert obj.title.get(lang) != obj.title.en and obj.description.get(lang) != obj.description.en
    for ind in load_indicators():
        assert getattr(ind.definition, lang), f"{ind.id}: no {lang} definition"
        assert ind.title.get(lang).strip()


def test_unknown_key_falls_back_to_the_key_itself():
    assert t("no.such.key") == "no.such.key"
    assert t("status.on_track", "xx") == t("status.on_track", "en")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (34.54, "en", 1, "34.5"),
        (34.54, "fr", 1, "34,5"),
        (34.54, "nl", 1, "34,5"),
        (19.95, "en", 1, "20.0"),  # half up on the decimal text, as publishers round
        (1234567.891, "en", 2, "1,234,567.89"),
        (1234567.891, "nl", 2, "1.234.567,89"),
        (1234567.891, "fr", 2, "1\u202f234\u202f567,89"),
        (34.54, "de", 1, "34,5"),
        (19.95, "de", 1, "20,0"),
        (2.25, "de", 1, "2,3"),  # half up, not Babel's half even (which writes 2,2)
        (1234567.891, "de", 2, "1.234.567,89"),
        (-1234.56, "de", 1, "\u22121.234,6"),  # a true minus sign
        (-0.04, "de", 0, "\u22120"),
        (1234.5, "de", 0, "1.235"),
        (None, "de", 1, "–"),
        (None, "en", 1, "–"),
        (float("nan"), "fr", 1, "–"),
    ],
)
def test_numbers_per_language(value, lang, decimals, expected):
    assert fmt_number(value, lang, decimals) == expected


def test_percent_and_dates():
    assert fmt_value(34.54, True, "fr") == "34,5\u00a0%"
    assert fmt_value(34.54, True, "de") == "34,5\u00a0%"
    assert fmt_value(1234.5, False, "de", 1) == "1.234,5"
    assert fmt_value(121.5, False, "en") == "121.5"
    assert fmt_date("2026-02-27T11:00:00+01:00") == "27 February 2026"
    assert fmt_date(None) == "not stated in the file we hold"  # says why, not just "unknown"


@pytest.mark.parametrize("source, dataset", [("eurostat", "isoc_eb_ai"), ("desi", "desi_facts"),
                                             ("desi", "desi_2022"), ("statbel", "eak")])  # fmt: skip
def test_displayed_credit_line_in_english_is_the_recorded_one(source, dataset):
    from pipelines.sources import attribution as recorded
    from presentation.indicator_chart import attribution

    meta = {"source": source, "dataset": dataset}
    assert attribution(meta, "en") == recorded(source, dataset)
    assert attribution(meta, "fr") != recorded(source, dataset) or source == "statbel"


@pytest.mark.parametrize(("lang", "expected"), [("en", ".,"), ("fr", ",\u202f"), ("nl", ",."), ("de", ",.")])
def test_plotly_separators_are_the_languages_decimal_and_grouping_marks(lang, expected):
    assert number_separators(lang) == expected


def test_every_language_numbers_agree_with_its_separators():
    # The chart axes (plotly's separators) and the text beside them (fmt_number) write the same marks.
    for lang in LANGS:
        decimal, group = number_separators(lang)
        assert fmt_number(1234.5, lang, 1) == f"1{group}234{decimal}5", lang
