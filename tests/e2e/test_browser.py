"""Running dashboard in headless Chromium → scorecard, tile link, explorer permalink, pages, phone order."""

from __future__ import annotations

import re
import shutil
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (apt-get install chromium); the e2e tests drive it",
    ),
]

from playwright.sync_api import Page, expect  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

APP = '[data-testid="stApp"]'
IDLE = f'{APP}[data-test-script-state="notRunning"]'
RUNNING = f'{APP}[data-test-script-state="running"]'
NO_SKELETON = "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0"
EXCEPTION = '[data-testid="stException"]'
CHART = ".js-plotly-plot"
TILE_HEADING = re.compile(r"^\s*(\d+) · ")


# ----------------------------------------------------------------------------------------------- helpers


def wait_drawn(page: Page) -> None:
    """The script run is over and no element is still a loading skeleton."""
    page.wait_for_selector(IDLE)
    page.wait_for_function(NO_SKELETON)


def wait_rerun(page: Page) -> None:
    """After an interaction: catch the "running" state if we can (it may be too quick), then wait for idle."""
    try:
        page.wait_for_selector(RUNNING, timeout=3_000)
    except PlaywrightTimeout:
        pass
    wait_drawn(page)


def open_page(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    wait_drawn(page)


def exception_texts(page: Page) -> list[str]:
    return page.locator(EXCEPTION).all_inner_texts()


def notices(page: Page) -> list[str]:
    return [t.replace("\n", " ") for t in page.locator('[data-testid="stAlert"]').all_inner_texts()]


def state(page: Page) -> str:
    """What a failure message should show: where the browser is and what the app told the user."""
    return f"url={page.url!r} notices={notices(page)!r}"


def tile_headings(page: Page):
    return page.locator("h4").filter(has_text=TILE_HEADING)


def legend_item(page: Page, name: str):
    return page.locator(f"{CHART} .legend .traces .legendtext").filter(has_text=name)


def legend_entries(page: Page) -> set[str]:
    expect(page.locator(f"{CHART} .legend .traces").first).to_be_attached()
    return {t.strip() for t in page.locator(f"{CHART} .legend .traces .legendtext").all_text_contents()}


def table_rows(page: Page) -> int:
    """Rows of the explorer table, from its caption "N rows", checked against the grid's own row count."""
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"^\d+ rows?$"))
    expect(caption).to_have_count(1)
    n = int(caption.inner_text().split()[0])
    grid = page.locator('[data-testid="stDataFrame"] [role="grid"][aria-rowcount]')
    expect(grid).to_have_attribute("aria-rowcount", str(n + 1))  # + the header row
    return n


# ------------------------------------------------------------------------------------------------- tests


def test_scorecard_shows_nine_tiles_and_sparklines(page, server):
    open_page(page, server, "/")
    headings = tile_headings(page)
    expect(headings).to_have_count(9)
    numbers = [int(TILE_HEADING.match(h).group(1)) for h in headings.all_inner_texts()]
    assert sorted(numbers) == list(range(1, 10)), numbers
    expect(page.locator(CHART).first).to_be_attached()
    expect(page.locator(f"{CHART} .main-svg").first).to_be_attached()
    assert exception_texts(page) == []


def test_tile_link_opens_its_objective(page, server):
    open_page(page, server, "/")
    link = page.get_by_role("link", name="Open objective 3")
    expect(link).to_have_count(1)
    link.click()
    wait_rerun(page)
    expect(page.locator("h1").first).to_contain_text("Objective 3:")
    expect(page.locator(CHART).first).to_be_attached()
    wait_drawn(page)
    assert exception_texts(page) == []
    assert "objective=3" in page.url, f"the objective page's URL lost its objective: {state(page)}"


def test_explorer_url_is_a_permalink(page, server):
    open_page(page, server, "/explorer?indicator=renewables_share")
    before = legend_entries(page)
    countries = page.get_by_test_id("stMultiSelect").filter(has_text="Countries")
    countries.get_by_role("combobox").click()
    page.keyboard.type("Sweden")
    page.keyboard.press("Enter")
    wait_rerun(page)
    page.keyboard.press("Escape")
    remove_lu = countries.get_by_role("button", name="Remove Luxembourg")
    if remove_lu.count():
        remove_lu.click()
        wait_rerun(page)

    added, removed = legend_item(page, "Sweden"), legend_item(page, "Luxembourg")
    expect(added, f"Sweden is not charted after adding it: {state(page)}").to_have_count(1)
    expect(removed, f"Luxembourg is still charted after removing it: {state(page)}").to_have_count(0)
    entries = legend_entries(page)
    assert entries != before
    rows = table_rows(page)
    assert exception_texts(page) == []

    url = page.url
    geos = parse_qs(urlparse(url).query).get("geos", [])
    assert "SE" in geos, f"the URL does not hold geos=SE: {state(page)}"

    again = page.context.new_page()
    open_page(again, "", url)
    assert legend_entries(again) == entries, f"the permalink shows another chart: {state(again)}"
    assert table_rows(again) == rows
    assert exception_texts(again) == []


@pytest.mark.parametrize(
    "path", ["/", "/objective?objective=5", "/explorer", "/dataset", "/sources", "/methodology"]
)
def test_every_page_loads_with_its_heading(page, server, path):
    open_page(page, server, path)
    expect(page.locator("h1").first).to_be_visible()
    assert exception_texts(page) == []


def test_bad_parameter_shows_a_notice(page, server):
    open_page(page, server, "/?geo=XX")
    expect(page.get_by_text("not available").first).to_be_visible()
    expect(page.locator("h1").first).to_be_visible()
    assert exception_texts(page) == []


def test_phone_keeps_plan_order(phone_page, server):
    open_page(phone_page, server, "/")
    headings = tile_headings(phone_page)
    expect(headings).to_have_count(9)
    tops = {int(TILE_HEADING.match(h.inner_text()).group(1)): h.bounding_box()["y"] for h in headings.all()}
    assert tops[1] < tops[2], tops
    assert sorted(tops, key=tops.get) == list(range(1, 10)), tops
    assert exception_texts(phone_page) == []
