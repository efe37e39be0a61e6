"""Every app page and `aiplan scorecard`, in every language but English → no English word, no decimal point,
no ISO date (tests/telltales.py says what counts as one).

Pages run with Streamlit's AppTest on the tiny fixture warehouse (tests/conftest.py), as tests/app/ does. The
text read is everything the page sends the browser: markdown, captions, labels, help texts, options, download
labels and every cell and header of every table. Charts are read by their own tests (tests of the charts).
"""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from streamlit.testing.v1 import AppTest

from aiplan import cli
from indicators.catalog import load_indicators
from indicators.vocabulary import LANGS
from pipelines.settings import REPO_ROOT
from pipelines.warehouse import connect_read_only, read_cursor
from tests.telltales import in_context, telltales

APP = str(REPO_ROOT / "dashboard" / "app.py")
OTHER_LANGS = [lang for lang in LANGS if lang != "en"]
# (page, URL parameters): every page once, the objective page for each of the nine objectives (each shows
# other indicators, notes and cards), the explorer in each of its views.
PAGES = [
    ("scorecard", {}),
    *(("objective", {"objective": str(n)}) for n in range(1, 10)),
    ("explorer", {"view": "trend"}),
    ("explorer", {"view": "ranking"}),
    ("explorer", {"view": "table"}),
    ("dataset", {}),
    ("changes", {}),
    ("changes", {"since": "2000-01-01"}),
    ("sources", {}),
    ("methodology", {}),
    ("actions", {}),
]
# Widgets whose English is deliberate: the language chooser is labelled in every language, and lists each
# language under its own name ("English"), so that a reader who does not read the current one finds theirs.
MULTILINGUAL_WIDGETS = {"lang"}
SKIPPED = {"plotly_chart"}  # a chart's words and numbers are checked on the exported charts


def page_texts(at: AppTest) -> list[str]:
    """Every string the page shows, one per element (a table gives its headers and each cell)."""
    out: list[str] = []

    def walk(node) -> None:
        if getattr(node, "key", None) in MULTILINGUAL_WIDGETS or getattr(node, "type", None) in SKIPPED:
            return
        children = getattr(node, "children", None)
        if children:
            for child in children.values() if isinstance(children, dict) else children:
                walk(child)
            return
        if getattr(node, "type", None) in ("dataframe", "arrow_data_frame", "table"):
            frame = node.value
            out.extend(str(c) for c in frame.columns)
            out.extend(str(v) for v in frame.astype(object).to_numpy().ravel())
            return
        proto = getattr(node, "proto", None)
        if proto is None:
            return
        for field, value in proto.ListFields():
            if field.name in (
                "id",
                "form_id",
                "icon",
                "key",
                "deferred_file_id",
                "page_script_hash",
                "url",
                "page",
                "query_string",
                "anchor",
            ):  # addresses, not text
                continue
            if getattr(node, "type", None) == "date_input" and field.name in (
                "default",
                "min",
                "max",
                "value",
            ):
                continue  # machine dates (ISO): the widget shows them in its `format`, the reader's order
            if isinstance(value, str):
                out.append(value)
            elif field.type == field.TYPE_STRING:
                out.extend(value)  # options of a select box

    walk(at._tree)
    return out


def english_originals(warehouse) -> list[str]:
    """Texts that exist only in English where they come from: the publishers' dataset titles (the files we
    hold carry English titles only; the sources page says so in its header), and the catalogue's texts that
    are still plain English strings (analysts' notes, shown marked "(in English)"; target documents and
    articles, until the catalogue holds their official titles in every language). A catalogue text that
    becomes a translated mapping drops out of this list by itself, and is then checked like any other."""
    texts = []
    for ind in load_indicators():
        targets = [t for t in (ind.target, *ind.reference_levels) if t is not None]
        documents = [text for t in targets for text in (t.document, getattr(t, "article", None))]
        for text in (ind.proxy, ind.source_choice, *ind.technical_notes, *documents):
            if isinstance(text, str) and text:
                texts.append(text.strip())
    con = read_cursor(connect_read_only(warehouse))
    try:
        texts += [r[0] for r in con.execute("SELECT title FROM datasets WHERE title IS NOT NULL").fetchall()]
    finally:
        con.close()
    return sorted(set(texts), key=len, reverse=True)


def without(text: str, originals: list[str]) -> str:
    for original in originals:
        text = text.replace(original, " ")
    return text


@pytest.mark.slow  # about 15 s a language: outside the inner loop, like tests/app/
@pytest.mark.parametrize("lang", OTHER_LANGS)
@pytest.mark.parametrize(
    "page, params", PAGES, ids=[f"{p}-{'-'.join(q.values()) or 'default'}" for p, q in PAGES]
)
def test_every_page_is_in_the_readers_language(fixture_env, page, params, lang):
    at = AppTest.from_file(APP, default_timeout=120)
    if page != "scorecard":
        at.switch_page(f"app_pages/{page}.py")
    for key, value in {"lang": lang, "geo": "BE", **params}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = page_texts(at)
    assert len(texts) >= 3, "the page showed almost nothing: the walk over its elements is broken"
    originals = english_originals(fixture_env)
    found = [f for text in texts for f in in_context(without(text, originals), lang)]
    assert not found, "\n".join(found)


def _scorecard(capsys, monkeypatch, *args: str) -> str:
    monkeypatch.setattr(cli, "console", Console(width=400, soft_wrap=True, no_color=True, highlight=False))
    assert cli.main(["scorecard", "--geo", "BE", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_terminal_scorecard_is_in_the_readers_language(fixture_env, capsys, monkeypatch, lang):
    text = _scorecard(capsys, monkeypatch, "--lang", lang)
    assert text.count("\n") > 9
    found = in_context(text, lang)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_json_scorecard_titles_and_notes_are_in_the_readers_language(fixture_env, capsys, monkeypatch, lang):
    card = json.loads(_scorecard(capsys, monkeypatch, "--json", "--lang", lang))
    english = json.loads(_scorecard(capsys, monkeypatch, "--json", "--lang", "en"))
    shown = []
    for obj, obj_en in zip(card["objectives"], english["objectives"], strict=True):
        assert obj["title"] != obj_en["title"]
        shown.append(obj["title"])
        for ind in obj["indicators"]:
            shown += [ind["title"], *ind["notes"]]
            if ind["target"] and ind["target"].get("note"):
                shown.append(ind["target"]["note"])
            if ind["next_release"]:
                shown.append(ind["next_release"]["publisher"])
    found = [f for text in shown for f in in_context(text, lang)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("Source\u00a0: Eurostat", "fr", []),  # French has the word
        ("Source: Eurostat", "nl", ["English word 'Source'"]),
        (
            "34,5\u00a0% of the enterprises",
            "fr",
            ["English word 'of'", "English word 'the'", "English word 'enterprises'"],
        ),
        ("None", "fr", ["English word 'None'"]),
        ("NaN", "nl", ["English word 'NaN'"]),
        ("1.234,5 en 12.345.678", "nl", []),  # Dutch groups thousands with a point
        ("1.234,5", "fr", ["decimal point in '1.234,5'"]),
        ("42.0 en 34,5", "nl", ["decimal point in '42.0'"]),
        ("CC BY 4.0, sdmx-csv-2.0, https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data", "de", []),
        ("indic_is=E_AI_TANY, size_emp=GE10", "nl", []),  # codes are not words
        ("AT, IS, NO", "fr", []),  # nor are country codes
        ("Not at all", "de", ["English word 'Not'", "English word 'at'"]),
        ("mis à jour le 2026-04-08", "fr", ["ISO date '2026-04-08'"]),
        ("anything at all, 34.5", "en", []),
    ],
)
def test_telltales_finds_what_is_not_in_the_language(text, lang, expected):
    assert telltales(text, lang) == expected
