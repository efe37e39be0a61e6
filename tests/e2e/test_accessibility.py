"""Every page in every language, in headless Chromium, checked by axe-core → no serious or critical issue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indicators.vocabulary import LANGS
from tests.e2e.test_browser import exception_texts, open_page

AXE = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not AXE.exists(), reason="axe-core is not installed (make test runs npm ci in tools/)"
    ),
]
PAGES = [
    "/",
    "/objective?objective=4",
    "/explorer?indicator=renewables_share",
    "/dataset",
    "/sources",
    "/methodology",
]
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


# What has the keyboard focus: its Streamlit widget's test id and its accessible name.
FOCUSED = """() => {
  const e = document.activeElement;
  const box = e && e.closest('[data-testid]');
  const name = e ? (e.getAttribute('aria-label') || e.innerText || '') : '';
  return (box ? box.getAttribute('data-testid') : '') + '|' + name.slice(0, 40);
}"""


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_accessibility_violation(page, server, path, lang):
    sep = "&" if "?" in path else "?"
    open_page(page, server, f"{path}{sep}lang={lang}")
    assert not exception_texts(page)
    bad = [v for v in violations(page) if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def test_explorer_controls_are_reachable_with_the_keyboard(page, server):
    """Tab from the top of the page: the selectors and the download buttons all take focus in turn."""
    open_page(page, server, "/explorer?indicator=renewables_share")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(FOCUSED))
    text = " ".join(reached)
    assert "stSelectbox" in text, reached
    assert "stMultiSelect" in text, reached
    # The download buttons (icon, then the format's name) take focus too.
    assert any(r.startswith("stBaseButton-secondary|download") and "CSV" in r for r in reached), reached


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_navigation_is_in_the_chosen_language(page, server, lang):
    from presentation.i18n import t

    open_page(page, server, f"/?lang={lang}")
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    for key in ("nav.scorecard", "nav.explorer", "nav.methodology"):
        assert t(key, lang) in nav, (key, nav)
    assert t("nav.scorecard", "en") not in nav
