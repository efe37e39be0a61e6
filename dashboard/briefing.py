"""Warehouse + geo + language → the steering committee's briefing pack as one PDF (HTML printed by Chromium).

All charts are drawn by plotly.js inside the one Chromium page that prints the PDF, so the pack costs one
browser start, not one per chart. Every text from the catalogue or upstream is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import duckdb
import markdown
import plotly.offline

from dashboard import browser as browser_binary
from dashboard import indicator_chart, narrative, status
from dashboard.exports import indicator_context
from dashboard.geo import geo_names
from dashboard.i18n import fmt_date, fmt_value, t
from indicators.units import UNITS
from pipelines import reports
from pipelines.scorecard_table import STATUS_TEXT

CHART_W, CHART_H = 680, 400  # A4 less margins is about 690 CSS pixels wide
CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #1f2933; font-size: 10pt;
       font-variant-ligatures: none; }
h1 { font-size: 24pt; margin: 0 0 8mm 0; } h2 { font-size: 16pt; margin: 0 0 3mm 0; }
h3 { font-size: 11.5pt; margin: 5mm 0 1mm 0; }
.page { page-break-after: always; } .page:last-child { page-break-after: auto; }
.cover { padding-top: 60mm; } .cover p { font-size: 12pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 1.6mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #f0f4f8; } td.num { text-align: right; white-space: nowrap; }
.status { font-weight: bold; white-space: nowrap; }
.on_track, .target_met { color: #006d4f; } .moderate { color: #8a5a00; } .insufficient { color: #a33d00; }
.moving_away { color: #9b1c2e; } .insufficient_data { color: #52606d; }
.muted { color: #52606d; font-size: 8.5pt; } .chart { width: 100%; margin: 2mm 0; }
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _inline(text: str) -> str:
    """App text carries markdown code spans (`aiplan refresh`): escaped, then shown as code in the PDF."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _status(code: str, lang: str) -> str:
    return f'<span class="status {code}">{STATUS_TEXT[code][0]} {_e(status.word(code, lang))}</span>'


def build_html(con: duckdb.DuckDBPyConnection, *, geo: str, lang: str) -> tuple[str, int]:
    """The whole pack as one HTML document; returns it and the number of charts it draws."""
    card = reports.scorecard(con, geo, lang)
    names = geo_names(lang, reports.geo_names(con))
    charts: list[tuple[str, dict]] = []
    pages = [_cover(card, names, geo, lang), _scorecard_page(card, names, geo, lang)]
    for obj in card["objectives"]:
        pages.append(_objective_page(con, card, obj, names, geo, lang, charts))
    pages.append(_annex(con, lang))
    body = "".join(f'<section class="page">{p}</section>' for p in pages)
    script = _chart_script(charts)
    doc = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_e(t('briefing.title', lang))}"
        f"</title><style>{CSS}</style><script>{plotly.offline.get_plotlyjs()}</script></head>"
        f"<body>{body}<script>{script}</script></body></html>"
    )
    return doc, len(charts)


def _cover(card: dict, names: dict, geo: str, lang: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    pairs = (
        ("briefing.country", names.get(geo, geo)),
        ("briefing.date", fmt_date(today, lang)),
        ("briefing.data_as_of", fmt_date(card["built_at"], lang)),
    )
    lines = "".join(
        f"<p>{t('label.pair', lang, label=f'<b>{_e(t(k, lang))}</b>', value=_e(v))}</p>" for k, v in pairs
    )
    return (
        f'<div class="cover"><h1>{_e(t("briefing.title", lang))}</h1>'
        f"<p>{_e(t('app.tagline', lang))}</p>{lines}"
        f'<p class="muted">{_e(t("briefing.cover_note", lang))}</p></div>'
    )


def _scorecard_page(card: dict, names: dict, geo: str, lang: str) -> str:
    head = "".join(
        f"<th>{_e(t(k, lang))}</th>"
        for k in (
            "briefing.col.objective",
            "briefing.col.status",
            "briefing.col.headline",
            "briefing.col.value",
            "briefing.col.eu",
            "briefing.col.target",
        )
    )
    rows = []
    for obj in card["objectives"]:
        ind = obj["indicators"][0]
        unit = UNITS[ind["unit"]]
        target = fmt_value(ind["target"]["value"], unit.percent, lang, 0) if ind["target"] else "–"
        value = fmt_value(ind["value"], unit.percent, lang)
        period = f" ({_e(ind['latest_period'])})" if ind["latest_period"] else ""
        rows.append(
            f"<tr><td>{obj['number']}. {_e(obj['title'])}</td><td>{_status(obj['status'], lang)}</td>"
            f"<td>{_e(ind['title'])}</td><td class='num'>{_e(value)}{period}</td>"
            f"<td class='num'>{_e(fmt_value(ind['eu_value'], unit.percent, lang))}</td>"
            f"<td class='num'>{_e(target)}</td></tr>"
        )
    return (
        f"<h2>{_e(t('scorecard.header', lang, geo=names.get(geo, geo)))}</h2>"
        f"<p>{_e(t('scorecard.intro', lang))}</p><table><tr>{head}</tr>{''.join(rows)}</table>"
    )


def _objective_page(con, card: dict, obj: dict, names: dict, geo: str, lang: str, charts: list) -> str:
    parts = [f"<h2>{obj['number']}. {_e(obj['title'])}</h2>", f"<p>{_status(obj['status'], lang)}</p>"]
    with_data = [i for i in obj["indicators"] if i["data"] == "available"]
    for ind in obj["indicators"]:
        parts.append(f"<h3>{_e(ind['title'])} — {_status(ind['status'], lang)}</h3>")
        parts.append(
            f"<p>{_inline(narrative.objective_sentence(ind, geo_name=names.get(geo, geo), lang=lang))}</p>"
        )
        pace = _pace_line(ind, lang)
        if pace:
            parts.append(f'<p class="muted">{_e(pace)}</p>')
        # One chart per objective (its first indicator with data) keeps each objective to one page.
        if ind in with_data[:1]:
            ctx = indicator_context(con, ind["id"], geo, lang, card)
            fig = indicator_chart.indicator_figure(
                entry=ctx["entry"],
                spec=ctx["spec"],
                values=ctx["values"],
                meta=ctx["meta"],
                geo=geo,
                geo_names=ctx["names"],
                lang=lang,
                height=CHART_H,
                framed=True,
                bar_px=9,
            )
            chart_id = f"chart{len(charts)}"
            charts.append((chart_id, json.loads(fig.to_json())))
            parts.append(f'<div class="chart" id="{chart_id}"></div>')
    return "".join(parts)


def _pace_line(ind: dict, lang: str) -> str | None:
    card = ind.get("card") or {}
    needed, actual = card.get("pp_needed_per_year"), card.get("pp_actual_per_year")
    if needed is None or actual is None or not UNITS[ind["unit"]].percent:
        return None
    return t(
        "briefing.pace", lang, needed=fmt_value(needed, False, lang), actual=fmt_value(actual, False, lang)
    )


def _annex(con, lang: str) -> str:
    ds = reports.datasets(con)
    rows = "".join(
        f"<tr><td>{_e(r.dataset)}</td><td>{_e(r.attribution)}</td>"
        f"<td>{_e(fmt_date(r.upstream_updated, lang))}</td>"
        f"<td>{_e(r.licence)}</td></tr>"
        for r in ds.itertuples()
    )
    head = "".join(
        f"<th>{_e(t(k, lang))}</th>"
        for k in (
            "sources.col.dataset",
            "sources.col.attribution",
            "sources.col.upstream_updated",
            "sources.col.licence",
        )
    )
    method = markdown.markdown(html.escape(narrative.method_text(lang), quote=False))
    return (
        f"<h2>{_e(t('briefing.annex', lang))}</h2><h3>{_e(t('sources.header', lang))}</h3>"
        f"<table><tr>{head}</tr>{rows}</table><h3>{_e(t('methodology.header', lang))}</h3>{method}"
    )


def _chart_script(charts: list[tuple[str, dict]]) -> str:
    specs = json.dumps({cid: spec for cid, spec in charts}).replace("</", "<\\/")
    return (
        f"const specs = {specs};"
        "Promise.all(Object.entries(specs).map(([id, s]) => Plotly.newPlot(id, s.data,"
        f" Object.assign(s.layout, {{width: {CHART_W}}}), {{staticPlot: true}})))"
        ".then(() => { window.chartsDone = true; }, (e) => { window.chartsError = String(e); });"
    )


def render_pdf(doc: str, *, lang: str) -> bytes:
    """Print the HTML with Debian's Chromium (one browser process for the whole pack).

    Runs in its own thread: Playwright's sync API refuses to start where an asyncio loop already runs (a
    Streamlit download callback, a test session holding another browser).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_pdf, doc, lang).result()


def _print_pdf(doc: str, lang: str) -> bytes:
    from playwright.sync_api import sync_playwright

    footer = (
        f'<div style="font-size:8px;width:100%;text-align:center;color:#52606d">'
        f'{_e(t("app.title", lang))} — <span class="pageNumber"></span>/'
        '<span class="totalPages"></span></div>'
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_binary.executable(), headless=True, args=browser_binary.ARGS
        )
        try:
            page = browser.new_page()
            page.set_content(doc, wait_until="load")
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


def briefing_pdf(con: duckdb.DuckDBPyConnection, *, geo: str, lang: str) -> bytes:
    doc, _ = build_html(con, geo=geo, lang=lang)
    return render_pdf(doc, lang=lang)
