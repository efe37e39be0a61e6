"""Clicking through the running dashboard → every path keeps the country and the language (tile links, sidebar
entries, the objective selector, the language switch, browser back), from several countries and languages."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]

from playwright.sync_api import Page, expect  # noqa: E402

from tests.e2e.test_browser import exception_texts, open_page, wait_drawn, wait_rerun  # noqa: E402

# (start URL, country code, its name in the page language, the tile link text, the sidebar entry's label)
CASES = [
    ("/", "BE", "Belgium", "Open objective 2", "Objective"),
    ("/?geo=NL", "NL", "Netherlands", "Open objective 2", "Objective"),
    ("/?geo=DE&lang=fr", "DE", "Allemagne", "Ouvrir l'objectif 2", "Objectif"),
    ("/?geo=LU&lang=nl", "LU", "Luxemburg", "Doelstelling 2 openen", "Doelstelling"),
]


def _params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _combobox(page: Page, key: str):
    """The sidebar selectbox of widget `key` (Streamlit marks its container `st-key-<key>`)."""
    return page.get_by_test_id("stSidebar").locator(f".st-key-{key}").get_by_role("combobox")


def _country_shown(page: Page) -> str:
    """The country the sidebar selector shows (what every figure on the page is about)."""
    return _combobox(page, "geo").input_value()


def _choose(page: Page, key: str, option: str) -> None:
    _combobox(page, key).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_rerun(page)


def _assert_country(page: Page, geo: str, name: str, where: str) -> None:
    assert _country_shown(page) == name, f"{where}: the sidebar shows {_country_shown(page)!r}, not {name}"
    params = _params(page)
    if geo != "BE":  # BE is the default, left out of the URL
        assert params.get("geo") == [geo], f"{where}: URL {page.url} lost geo={geo}"
    assert exception_texts(page) == []


@pytest.mark.parametrize(("start", "geo", "name", "tile_link", "nav_label"), CASES, ids=[c[1] for c in CASES])
def test_every_navigation_path_keeps_country_and_language(
    page, server, start, geo, name, tile_link, nav_label
):
    lang = parse_qs(urlparse(start).query).get("lang", ["en"])[0]
    open_page(page, server, start)
    _assert_country(page, geo, name, "scorecard")

    link = page.get_by_role("link", name=tile_link)
    expect(link).to_have_count(1)
    link.click()
    wait_rerun(page)
    expect(page.locator("h1").first).to_contain_text("2")
    _assert_country(page, geo, name, "tile link → objective 2")
    assert _params(page).get("objective") == ["2"]
    if lang != "en":
        assert _params(page).get("lang") == [lang], f"the language was lost: {page.url}"

    # the sidebar's own navigation entries: back to the scorecard, then to the objective page again
    sidebar = page.get_by_test_id("stSidebarNav")
    sidebar.get_by_role("link").first.click()
    wait_rerun(page)
    _assert_country(page, geo, name, "sidebar → scorecard")
    sidebar.get_by_role("link", name=nav_label, exact=True).click()
    wait_rerun(page)
    _assert_country(page, geo, name, "sidebar → objective")

    # browser back returns to the scorecard of the same country
    page.go_back()
    wait_drawn(page)
    _assert_country(page, geo, name, "browser back")


def test_language_switch_keeps_the_country_and_the_objective(page, server):
    open_page(page, server, "/objective?objective=4&geo=NL")
    _choose(page, "lang", "Français")
    params = _params(page)
    assert params.get("lang") == ["fr"] and params.get("geo") == ["NL"] and params.get("objective") == ["4"]
    expect(page.locator("h1").first).to_contain_text("Objectif 4")
    assert _country_shown(page) == "Pays-Bas"


def test_country_change_then_sidebar_entry_keeps_the_new_country(page, server):
    open_page(page, server, "/?lang=fr")
    _choose(page, "geo", "Suède")
    assert _params(page).get("geo") == ["SE"]
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Objectif", exact=True).click()
    wait_rerun(page)
    assert _country_shown(page) == "Suède"
    assert _params(page).get("geo") == ["SE"] and _params(page).get("lang") == ["fr"]


def test_every_sidebar_page_keeps_the_country(page, server):
    # The dataset browser once shared the country's state key with its own list of countries: after it, every
    # page showed the first country of the list.
    open_page(page, server, "/?geo=LU&lang=nl")
    nav = page.get_by_test_id("stSidebarNav")
    links = nav.get_by_role("link")
    expect(links).to_have_count(
        8
    )  # scorecard, objective, action lines, explorer, dataset, changes, sources, method
    for i in range(8):
        label = links.nth(i).get_attribute("href")
        links.nth(i).click()
        wait_rerun(page)
        assert exception_texts(page) == [], label
        nav.get_by_role("link", name="Doelstelling", exact=True).click()
        wait_rerun(page)
        _assert_country(page, "LU", "Luxemburg", f"{label} → Doelstelling")
        assert _params(page).get("lang") == ["nl"], f"{label}: the language was lost"
