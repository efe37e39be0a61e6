"""AppTest: every page in every language of LANGS (German included) runs and speaks that language."""

import pytest

from indicators.catalog import load_indicators, load_objectives
from indicators.vocabulary import LANGS
from presentation.i18n import t
from tests.app.test_pages import run_page, texts

OTHER_LANGS = [lang for lang in LANGS if lang != "en"]
# page → (its query parameters, the header it must show in the reader's language)
PAGES = {
    "scorecard": ({}, lambda lang: t("scorecard.header", lang, geo=t("geo.name.BE", lang))),
    "objective": ({"objective": "3"}, lambda lang: t("nav.objective", lang)),
    "explorer": ({"indicator": "ai_enterprises"}, lambda lang: t("explorer.header", lang)),
    "dataset": ({}, lambda lang: t("dataset.header", lang)),
    "sources": ({}, lambda lang: t("sources.header", lang)),
    "methodology": ({}, lambda lang: t("methodology.header", lang)),
}


def _shown(at) -> str:
    """Every text the page writes: title, headers, sentences and captions."""
    return " ".join([texts(at), *(x.value for x in at.title), *(x.value for x in at.subheader)])


def _page(name: str, lang: str):
    params, _ = PAGES[name]
    return run_page(None if name == "scorecard" else name, lang=lang, **params)


@pytest.mark.parametrize("lang", OTHER_LANGS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_runs_in_every_language_with_its_header(app_env, name, lang):
    at = _page(name, lang)  # run_page fails on any exception
    assert at.selectbox(key="lang").value == lang
    header = PAGES[name][1](lang)
    assert header != PAGES[name][1]("en"), "the header is not translated"
    assert header in _shown(at), (header, _shown(at)[:500])


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_the_objective_page_shows_the_catalogue_in_the_readers_language(app_env, lang):
    at = _page("objective", lang)
    text = _shown(at)
    objective = next(o for o in load_objectives() if o.number == 3)
    assert objective.title.get(lang) in text and objective.title.en not in text
    for ind in (i for i in load_indicators() if i.objective == 3):
        assert ind.title.get(lang) in text, ind.id
        # English catalogue titles never stand in for a translation (the English title may be a word of it).
        assert ind.title.en == ind.title.get(lang) or ind.title.en not in text, ind.id
        assert ind.definition.get(lang) in text, ind.id
    for ind in (i for i in load_indicators() if i.proxy):
        at = run_page("objective", objective=str(ind.objective), lang=lang)
        assert ind.proxy.get(lang) in _shown(at) and ind.proxy.en not in _shown(at), ind.id
