"""Exported chart SVGs in every language → no two texts overlap, all text inside the image, numbers localised.

Text boxes are measured by rendering each SVG in Chromium (Playwright) and reading getBoundingClientRect()
of every <text> (of every line of a multi-line one). Why the browser rather than estimating from the SVG with
font metrics: kaleido draws the SVG with the same Chromium and fonts, and the browser resolves everything an
estimate would have to re-implement (nested group transforms, rotated axis titles, text-anchor, em-based
`dy` of wrapped lines, inherited font sizes, bold spans); the boxes are what a reader sees.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol

from aiplan.cli import main
from indicators.vocabulary import EU27, LANGS
from pipelines import reports
from pipelines.warehouse import connect_read_only
from presentation import browser, exports, indicator_chart

pytestmark = pytest.mark.skipif(
    not __import__("shutil").which("chromium"), reason="Debian's chromium is not installed (CI installs it)"
)

TOLERANCE_PX = 1.0  # boxes that merely touch (rounding) are not an overlap

# Every text element's boxes: one per line for a text plotly wrapped into tspan.line elements.
BOXES_JS = """() => {
  const out = [];
  const svg = document.querySelector('svg');
  for (const text of svg.querySelectorAll('text')) {
    const style = getComputedStyle(text);
    const hidden = style.display === 'none' || style.visibility === 'hidden'
      || parseFloat(style.opacity) === 0;
    if (hidden) continue;
    const lines = text.querySelectorAll('tspan.line');
    for (const el of (lines.length ? Array.from(lines) : [text])) {
      const s = el.textContent.trim();
      const r = el.getBoundingClientRect();
      if (!s || r.width === 0 || r.height === 0) continue;
      out.push({text: s, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
    }
  }
  return {boxes: out, width: svg.width.baseVal.value, height: svg.height.baseVal.value};
}"""

# Words that give away an English text in a chart of another language (case-sensitive, whole words).
ENGLISH = re.compile(
    r"\b(Flags|Dotted lines|Publisher|target|European Union|member states|last update|lower is better|"
    r"reference level|Break in series|of enterprises|None|Belgium|Germany|Netherlands|at the current pace)\b"
)


class _Browser:
    """Chromium driven from a thread of its own: an earlier test module (the e2e tests) can leave an asyncio
    loop running in the main thread, where Playwright's sync API refuses to start."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._thread.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=browser.executable(), args=browser.ARGS
        )
        self._page = self._browser.new_page(viewport={"width": 1600, "height": 1200})

    def _measure(self, svg: str) -> dict:
        self._page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
        return self._page.evaluate(BOXES_JS)

    def measure(self, svg: str) -> dict:
        return self._thread.submit(self._measure, svg).result()

    def close(self) -> None:
        self._thread.submit(lambda: (self._browser.close(), self._playwright.stop())).result()
        self._thread.shutdown()


@pytest.fixture(scope="module")
def page():
    measurer = _Browser()
    yield measurer
    measurer.close()


@pytest.fixture(scope="module")
def kaleido_server():
    """One browser for every export of the module (a kaleido call each would start one each time)."""
    import kaleido

    exports.use_system_chromium()
    kaleido.start_sync_server(silence_warnings=True)
    yield
    kaleido.stop_sync_server(silence_warnings=True)


def measure(page: _Browser, svg: str) -> dict:
    return page.measure(svg)


def layout_problems(measured: dict) -> list[str]:
    """Pairs of texts whose boxes overlap, and texts that reach outside the image."""
    boxes, w, h = measured["boxes"], measured["width"], measured["height"]
    problems = []
    for b in boxes:
        if (
            b["x0"] < -TOLERANCE_PX
            or b["y0"] < -TOLERANCE_PX
            or b["x1"] > w + TOLERANCE_PX
            or (b["y1"] > h + TOLERANCE_PX)
        ):
            problems.append(f"outside the {w:.0f}×{h:.0f} image: {b['text'][:60]!r}")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if dx > TOLERANCE_PX and dy > TOLERANCE_PX:
                problems.append(f"{a['text'][:50]!r} overlaps {b['text'][:50]!r}")
    return problems


def misformatted_numbers(texts: list[str], lang: str) -> list[str]:
    """Texts holding a number written with a decimal point in a language whose decimal mark is not one (a
    dot that groups thousands, as German and Dutch write 1.234, is not a decimal point)."""
    if get_decimal_symbol(lang) == ".":
        return []
    bad = []
    for text in texts:
        plain = re.sub(r"(?<=\d)\.(?=\d{3}(?!\d))", "", text) if get_group_symbol(lang) == "." else text
        if re.search(r"\d\.\d", plain):
            bad.append(text)
    return bad


def _figures(con, lang: str):
    """(name, figure) of every catalogue indicator with data: its trend (or its ranking, when it has one
    year) and its ranking of the member states, where the latest year has any."""
    card = reports.scorecard(con, "BE", lang)
    for ind in (i for o in card.objectives for i in o.indicators if i.data == "available"):
        ctx = exports.indicator_context(con, ind.id, "BE", lang, card)
        fig = exports.chart_figure(ctx, "BE", lang)
        yield f"{ind.id}/{fig.data[0].type}", fig
        values = ctx["values"]
        latest = values.loc[values["value"].notna(), "period"].max()
        has_members = (values["period"] == latest) & values["geo"].isin(EU27) & values["value"].notna()
        if fig.data[0].type != "bar" and has_members.any():
            ranking = indicator_chart.ranking_figure(
                entry=ctx["entry"], spec=ctx["spec"], values=values, meta=ctx["meta"], geo="BE",
                geo_names=ctx["names"], lang=lang, width=exports.WIDTH,
            )  # fmt: skip
            yield f"{ind.id}/ranking", ranking


def test_the_checker_finds_overlapping_and_clipped_texts(page):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" style="font-family: DejaVu Sans">'
        '<text x="10" y="30" style="font-size: 13px">Legend entry</text>'
        '<g transform="translate(40,5)"><text x="0" y="27" style="font-size: 11px">Source line</text></g>'
        '<text x="150" y="90" style="font-size: 13px">cut at the edge</text></svg>'
    )
    problems = layout_problems(measure(page, svg))
    assert any("'Legend entry' overlaps 'Source line'" in p for p in problems), problems
    assert any(p.startswith("outside") and "cut at the edge" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_a_decimal_point_is_told_from_a_thousands_dot():
    assert misformatted_numbers(["34,5", "1.234,5", "2025"], "nl") == []
    assert misformatted_numbers(["34.5 %"], "nl") == ["34.5 %"]
    assert misformatted_numbers(["34.5"], "en") == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_exported_charts_have_no_overlaps_and_speak_the_language(
    snapshot_warehouse, page, kaleido_server, lang
):
    con = connect_read_only(snapshot_warehouse)
    problems, seen = [], 0
    try:
        for name, fig in _figures(con, lang):
            measured = measure(page, exports.image_bytes(fig, "svg").decode("utf-8"))
            texts = [b["text"] for b in measured["boxes"]]
            seen += 1
            problems += [f"{name}: {p}" for p in layout_problems(measured)]
            problems += [f"{name}: decimal point in {t!r}" for t in misformatted_numbers(texts, lang)]
            if lang != "en":
                problems += [f"{name}: English in {t!r}" for t in texts if ENGLISH.search(t)]
    finally:
        con.close()
    assert seen >= 40, f"only {seen} charts exported"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", [lang for lang in LANGS if get_decimal_symbol(lang) != "."])
def test_cli_chart_svg_writes_decimal_commas_only(snapshot_env, tmp_path, lang):
    out = tmp_path / "chart.svg"
    args = ["export", "chart", "ai_enterprises", "--format", "svg", "--lang", lang, "--out", str(out)]
    assert main(args) == 0
    texts = ["".join(el.itertext()) for el in ET.parse(out).iter() if el.tag.endswith("}text")]
    assert sum(bool(re.search(r"\d,\d", t)) for t in texts) >= 10, texts  # the bars' values, at least
    assert not [t for t in texts if re.search(r"\d\.\d", t)]
