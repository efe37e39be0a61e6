"""Warehouse + geo + language → the steering committee's briefing pack as one PDF (HTML printed by Chromium).

The pack is rendered from a Jinja2 template with autoescaping (every text from the catalogue or upstream is
escaped once, there). All charts are drawn by plotly.js inside the one Chromium page that prints the PDF, so
the pack costs one browser start, not one per chart. Charts carry no title or source inside the figure: the
HTML around them does, and wraps at any width, so nothing is cut at the page's edge. The browser starts and
loads plotly.js while Python builds the figures (the two overlap on two cores).
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import markdown
import plotly
import plotly.offline
from markupsafe import Markup, escape

from indicators.units import UNITS
from pipelines import reports
from pipelines.contracts import IndicatorEntry, ObjectiveEntry, Scorecard
from presentation import browser as browser_binary
from presentation import indicator_chart, narrative, status
from presentation.exports import indicator_context
from presentation.geo import display_names
from presentation.i18n import fmt_date, fmt_value, t

CHART_W = 680  # A4 less the margins is about 688 CSS pixels wide
TREND_H = 270  # with its legend and texts, two trend charts to a page
RANKING_BAR_PX = 15  # 27 member states → about 565 px: names at 10 px (7.5 pt) never overlap
LEGEND_PX, LEGEND_ROW_PX = 11, 21
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


def _status(code: str, lang: str, kind: str = "target") -> str:
    return f"{status.SYMBOL[code]} {status.word(code, lang, kind)}"


def _objective_status(obj: ObjectiveEntry, lang: str) -> str:
    return _status(obj.status, lang, obj.status_kind)


def build_html(
    con: duckdb.DuckDBPyConnection, *, geo: str, lang: str, inline_plotly: bool = True
) -> tuple[str, int]:
    """The whole pack as one HTML document; returns it and the number of charts it draws. Without
    `inline_plotly` the document expects a page that has loaded plotly.js already (briefing_pdf's)."""
    card = reports.scorecard(con, geo, lang)
    names = display_names(lang, reports.geo_labels(con, lang))
    currency = reports.data_currency(con)
    charts: dict[str, dict] = {}
    objectives = [_objective(con, card, obj, names, geo, lang, charts) for obj in card.objectives]
    doc = _ENV.get_template("briefing.html.j2").render(
        lang=lang,
        title=t("briefing.title", lang),
        tagline=t("app.tagline", lang),
        pair_sep=t("label.pair", lang, label="", value=""),
        cover_lines=_cover_lines(names, geo, currency, lang),
        cover_note=t("briefing.cover_note", lang),
        scorecard=_scorecard(card, names, geo, lang),
        objectives=objectives,
        indicator_head=[
            t(k, lang)
            for k in (
                "briefing.col.indicator",
                "briefing.col.year",
                "briefing.col.value",
                "briefing.col.eu",
                "briefing.col.position",
                "briefing.col.target",
                "briefing.col.progress",
            )
        ],  # fmt: skip
        no_chart=t("briefing.no_chart", lang),
        annex=_annex(con, lang),
        plotly_js=plotly.offline.get_plotlyjs() if inline_plotly else "",
        chart_specs=json.dumps(charts).replace("</", "<\\/"),
        chart_width=CHART_W,
    )
    return doc, len(charts)


def _cover_lines(names: dict, geo: str, currency: dict, lang: str) -> list[tuple[str, str]]:
    today = datetime.now(UTC).date().isoformat()
    updated = fmt_date(currency.get("newest_upstream_update"), lang)
    data = t("briefing.data_currency_value", lang, first=currency.get("latest_year_oldest"),
             last=currency.get("latest_year_newest"), updated=updated)  # fmt: skip
    lines = [
        (t("briefing.country", lang), names.get(geo, geo)),
        (t("briefing.date", lang), fmt_date(today, lang)),
        (t("briefing.data_currency", lang), data),
        (t("briefing.built", lang), fmt_date(currency.get("built_at"), lang)),
    ]
    return [(label, _unbroken_dates(value)) for label, value in lines]


def _unbroken_dates(text: str) -> Markup:
    """Escaped text whose ISO dates never break at their hyphens at the end of a line."""
    return Markup(ISO_DATE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', str(escape(text))))


def _titled(ind: IndicatorEntry, lang: str) -> str:
    """The indicator's title, with "lower is better" where it is."""
    if ind.direction == "decrease":
        return f"{ind.title} ({t('direction.lower_better', lang)})"
    return ind.title


def _value(ind: IndicatorEntry, lang: str, value: float | None) -> str:
    unit = UNITS[ind.unit]
    return fmt_value(value, unit.percent, lang, unit.decimals)


def _scorecard(card: Scorecard, names: dict, geo: str, lang: str) -> dict:
    rows = []
    for obj in card.objectives:
        head = obj.indicators[0]
        value = _value(head, lang, head.value)
        if head.latest_period:
            value += f" ({head.latest_period})"
        headline = _titled(head, lang)
        rows.append({
            "objective": f"{obj.number}. {obj.title}",
            "status": obj.status, "status_text": _objective_status(obj, lang),
            "evidence": status.evidence_short(obj.evidence, lang),
            "headline": headline, "headline_status": head.status,
            "headline_status_text": _status(head.status, lang, head.status_kind),
            "value": value, "stale": status.stale_text(head, lang) or "",
            "eu": _value(head, lang, head.eu_value), "position": status.position_text(head, lang) or "–",
            "target": status.target_text(head, lang),
        })  # fmt: skip
    head = [t(k, lang) for k in ("briefing.col.objective", "briefing.col.status", "briefing.col.headline",
                                 "briefing.col.value", "briefing.col.eu", "briefing.col.position",
                                 "briefing.col.target")]  # fmt: skip
    title = t("scorecard.header", lang, geo=names.get(geo, geo))
    return {"title": title, "intro": t("scorecard.intro", lang), "head": head, "rows": rows}


def _objective(
    con, card: Scorecard, obj: ObjectiveEntry, names: dict, geo: str, lang: str, charts: dict
) -> dict:
    indicators = []
    for ind in obj.indicators:
        row = {
            "title": _titled(ind, lang),
            "year": ind.latest_period or "–", "stale": status.stale_text(ind, lang) or "",
            "value": _value(ind, lang, ind.value), "eu": _value(ind, lang, ind.eu_value),
            "position": status.position_text(ind, lang) or "–", "target": status.target_text(ind, lang),
            "status": ind.status,
            "status_text": _status(ind.status, lang, ind.status_kind),
            "sentence": narrative.objective_sentence(ind, geo_name=names.get(geo, geo), lang=lang),
            "notes": [n for n in (ind.target.note if ind.target else None, *ind.notes,
                                  status.next_release_text(ind.next_release, lang)
                                  if ind.status == "insufficient_data" else None) if n],
            "chart_id": None, "source": "",
        }  # fmt: skip
        if ind.data == "available" and ind.value is not None:
            row["chart_id"], row["source"] = _chart(con, card, ind, geo, lang, charts)
        indicators.append(row)
    return {
        "heading": f"{obj.number}. {obj.title}",
        "status": obj.status, "status_text": _objective_status(obj, lang),
        "evidence": t("label.pair", lang, label=t("evidence.label", lang),
                      value=status.evidence_text(obj.evidence, lang)),
        "counts": t("scorecard.counts", lang, counts=status.indicator_counts_text(obj.indicators, lang)),
        "next_release": status.next_release_text(obj.next_release, lang, objective=True) or "",
        "indicators": indicators,
    }  # fmt: skip


def _chart(con, card: Scorecard, ind: IndicatorEntry, geo: str, lang: str, charts: dict) -> tuple[str, str]:
    ctx = indicator_context(con, ind.id, geo, lang, card)
    fig = indicator_chart.indicator_figure(
        entry=ctx["entry"], spec=ctx["spec"], values=ctx["values"], meta=ctx["meta"], geo=geo,
        geo_names=ctx["names"], lang=lang, height=TREND_H, framed=False, bar_px=RANKING_BAR_PX,
    )  # fmt: skip
    if fig.data and fig.data[0].type != "bar":
        # The legend under the plot, at the foot of the figure, with room for as many rows as its entries
        # need: above the plot it would sit on the event labels, on the axis it would hide the years.
        rows = _legend_rows([tr.name for tr in fig.data if tr.showlegend is not False and tr.name])
        fig.update_layout(legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0,
                                      xanchor="left", font=dict(size=LEGEND_PX)),
                          margin=dict(b=40 + rows * LEGEND_ROW_PX, l=60, r=20),
                          height=TREND_H + rows * LEGEND_ROW_PX)  # fmt: skip
    chart_id = f"chart{len(charts)}"
    charts[chart_id] = json.loads(fig.to_json())
    source = indicator_chart.source_line(ctx["meta"], ctx["values"][ctx["values"]["geo"].isin(
        indicator_chart.comparison_geos(geo, ctx["spec"]))], lang)  # fmt: skip
    return chart_id, f"{source} {indicator_chart.events_line(fig, lang)}".strip()


def _legend_rows(names: list[str]) -> int:
    """How many rows a horizontal legend of these entries takes in the chart's width: once entries wrap,
    plotly lines them up in columns as wide as the widest entry (its symbol, 40 px, and its text at about
    0.62 em a character)."""
    widths = [40 + LEGEND_PX * 0.62 * len(name) for name in names] or [0]
    if sum(widths) <= CHART_W - 20:
        return 1
    per_row = max(1, int((CHART_W - 20) // max(widths)))
    return -(-len(widths) // per_row)


def _annex(con, lang: str) -> dict:
    ds = reports.datasets(con)
    rows = [
        (
            r.dataset,
            indicator_chart.attribution(r._asdict(), lang),
            fmt_date(r.upstream_updated, lang),
            r.licence,
        )
        for r in ds.itertuples()
    ]
    head = [t(f"sources.col.{k}", lang) for k in ("dataset", "attribution", "upstream_updated", "licence")]
    method = markdown.markdown(html.escape(narrative.method_text(lang), quote=False))
    return {"title": t("briefing.annex", lang), "sources_title": t("sources.header", lang), "head": head,
            "rows": rows, "method_title": t("methodology.header", lang), "method_html": method}  # fmt: skip


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


def briefing_pdf(con: duckdb.DuckDBPyConnection, *, geo: str, lang: str) -> bytes:
    """The pack as PDF: the browser's start and plotly.js's load overlap the figures built here."""
    ready: Future[str] = Future()
    with ThreadPoolExecutor(max_workers=1) as pool:
        printed = pool.submit(_print_pdf, ready, lang, preload_plotly=True)
        try:
            ready.set_result(build_html(con, geo=geo, lang=lang, inline_plotly=False)[0])
        except BaseException as exc:
            ready.set_exception(exc)  # the browser thread closes its browser and ends
            raise
        return printed.result()
