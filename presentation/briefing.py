"""Warehouse + geo + language → the steering committee's briefing pack as one PDF (HTML printed by Chromium).

What the pack says comes from pack_content, which the PPTX and DOCX packs read too. It is rendered from a
Jinja2 template with autoescaping (every text from the catalogue or upstream is escaped once, there). All
charts are drawn by plotly.js inside the one Chromium page that prints the PDF, so the pack costs one browser
start, not one per chart. Charts carry no title or source inside the figure: the HTML around them does, and
wraps at any width, so nothing is cut at the page's edge. The browser starts and loads plotly.js while Python
builds the figures (the two overlap on two cores).
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import jinja2
import markdown
import plotly
import plotly.offline
from markupsafe import Markup, escape

from presentation import browser as browser_binary
from presentation import pack_content, pack_docx, pack_pptx
from presentation.i18n import t
from presentation.pack_content import CHART_W, Pack

FORMATS = {"pdf": "application/pdf", "pptx": pack_pptx.MIME, "docx": pack_docx.MIME}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEMPLATES = Path(__file__).resolve().parent / "templates"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"  # what get_plotlyjs() reads
PLOTLY_CSS = """() => Array.from(document.querySelectorAll('head style'))
    .flatMap((style) => Array.from(style.sheet ? style.sheet.cssRules : []).map((rule) => rule.cssText))
    .join('\\n')"""
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)  # fmt: skip


def build_html(
    con: duckdb.DuckDBPyConnection, *, geo: str, lang: str, inline_plotly: bool = True, **moment: date | None
) -> tuple[str, int]:
    """The whole pack as one HTML document; returns it and the number of charts it draws. Without
    `inline_plotly` the document expects a page that has loaded plotly.js already (briefing_pdf's)."""
    return render_html(pack_content.build(con, geo=geo, lang=lang, **moment), inline_plotly=inline_plotly)


def render_html(pack: Pack, *, inline_plotly: bool = True) -> tuple[str, int]:
    """The pack's content → the HTML the PDF is printed from, and the number of charts it draws."""
    charts: dict[str, dict] = {}
    chart_ids: dict[str, str] = {}
    for obj in pack.objectives:
        for ind in obj.indicators:
            if ind.chart:
                chart_ids[ind.id] = f"chart{len(charts)}"
                charts[chart_ids[ind.id]] = json.loads(ind.chart.figure.to_json())
    doc = _ENV.get_template("briefing.html.j2").render(
        lang=pack.lang,
        title=pack.title,
        tagline=pack.tagline,
        pair_sep=t("label.pair", pack.lang, label="", value=""),
        cover_lines=[(label, _unbroken_dates(value)) for label, value in pack.cover_lines],
        cover_note=pack.cover_note,
        pack=pack,
        objectives=pack.objectives,
        chart_ids=chart_ids,
        indicator_head=pack.indicator_head,
        no_chart=pack.no_chart,
        annex=pack.annex,
        method_html=markdown.markdown(html.escape(pack.annex.method_markdown, quote=False)),
        plotly_js=plotly.offline.get_plotlyjs() if inline_plotly else "",
        chart_specs=json.dumps(charts).replace("</", "<\\/"),
        chart_width=CHART_W,
    )
    return doc, len(charts)


def _unbroken_dates(text: str) -> Markup:
    """Escaped text whose ISO dates never break at their hyphens at the end of a line."""
    return Markup(ISO_DATE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', str(escape(text))))


def render_pdf(doc: str, *, lang: str) -> bytes:
    """Print the HTML with Debian's Chromium (one browser process for the whole pack).

    Runs in its own thread: Playwright's sync API refuses to start where an asyncio loop already runs (a
    Streamlit download callback, a test session holding another browser).
    """
    ready: Future[str] = Future()
    ready.set_result(doc)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_pdf, ready, lang, preload_plotly=False).result()


def _print_pdf(doc: Future[str], lang: str, *, preload_plotly: bool) -> bytes:
    """Launch Chromium (and with `preload_plotly` load plotly.js) while `doc` may still be being built."""
    from playwright.sync_api import sync_playwright

    footer = (
        f'<div style="font-size:8px;width:100%;text-align:center;color:#52606d">'
        f'{html.escape(t("app.title", lang))} — <span class="pageNumber"></span>/'
        '<span class="totalPages"></span></div>'
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_binary.executable(), headless=True, args=browser_binary.ARGS
        )
        try:
            page = browser.new_page()
            css = ""
            if preload_plotly:
                with tempfile.TemporaryDirectory(prefix="aiplan_pack_") as tmp:
                    # From its file: Chromium streams a 4.6 MB script from disk much faster than it parses
                    # the same inlined in a document sent through set_content.
                    shell = Path(tmp) / "plotly.html"
                    shell.write_text(f'<!doctype html><script src="{PLOTLY_JS.as_uri()}"></script>')
                    page.goto(shell.as_uri(), wait_until="load")
                # plotly.js put its base CSS (rules inserted into a <style> of the shell) into the shell's
                # head, which set_content replaces: carried over into the pack's head, or the charts grow.
                css = page.evaluate(PLOTLY_CSS)
            # set_content writes with document.open(), which keeps the window, so `Plotly` stays defined.
            page.set_content(_with_css(doc.result(), css), wait_until="load")
            page.wait_for_function(
                "window.chartsDone === true || window.chartsError !== undefined", timeout=120_000
            )
            error = page.evaluate("window.chartsError")
            if error:
                raise RuntimeError(f"a chart of the briefing pack did not render: {error}")
            return page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            )
        finally:
            browser.close()


def _with_css(doc: str, css: str) -> str:
    if not css:
        return doc
    css = css.replace("</", "<\\/")  # the rules are plotly.js's own; only a </style> could break out
    return doc.replace("</head>", f"<style>{css}</style></head>", 1)


def briefing_pdf(con: duckdb.DuckDBPyConnection, *, geo: str, lang: str, **moment: date | None) -> bytes:
    """The pack as PDF: the browser's start and plotly.js's load overlap the figures built here. `moment`:
    since and today, as pack_content.build takes them (a pack record's)."""
    ready: Future[str] = Future()
    with ThreadPoolExecutor(max_workers=1) as pool:
        printed = pool.submit(_print_pdf, ready, lang, preload_plotly=True)
        try:
            ready.set_result(build_html(con, geo=geo, lang=lang, inline_plotly=False, **moment)[0])
        except BaseException as exc:
            ready.set_exception(exc)  # the browser thread closes its browser and ends
            raise
        return printed.result()


def briefing_file(
    con: duckdb.DuckDBPyConnection, *, geo: str, lang: str, fmt: str, **moment: date | None
) -> bytes:
    """The pack as PDF (printed), or as PPTX or DOCX (editable, charts as PNG) from the same content."""
    if fmt not in FORMATS:
        raise ValueError(f"briefing format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        return briefing_pdf(con, geo=geo, lang=lang, **moment)
    pack = pack_content.build(con, geo=geo, lang=lang, **moment)
    write = pack_pptx.pptx_bytes if fmt == "pptx" else pack_docx.docx_bytes
    return write(pack, pack_content.featured_pngs(pack))
