"""Warehouse + geo + language → the briefing pack's content (typed), read by the PDF, PPTX and DOCX writers.

One model, three writers: the cover, the scorecard table, one section per objective (title, status, headline
chart, sentence, other indicators, source lines) and the annex are decided here once, in the reader's words
and number formats, so the printed pack and the editable ones say exactly the same thing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
from babel import Locale

from indicators.meetings import default_since, load_meetings
from indicators.units import UNITS
from indicators.vocabulary import NO_ACTION_STATUS
from pipelines import reports
from pipelines.contracts import IndicatorEntry, ObjectiveEntry, Scorecard
from presentation import actions, changes, indicator_chart, narrative, status
from presentation.changes import ChangeLine
from presentation.exports import indicator_context, use_system_chromium
from presentation.geo import display_names
from presentation.i18n import fmt_date, fmt_number, fmt_value, t

CHART_W = 680  # A4 less the margins is about 688 CSS pixels wide
TREND_H = 270  # with its legend and texts, two trend charts to a page
RANKING_BAR_PX = 15  # 27 member states → about 565 px: names at 10 px (7.5 pt) never overlap
LEGEND_PX, LEGEND_ROW_PX = 11, 21
# A slide's chart is about 7.5 in wide: 680 layout px × 3 ≈ 270 dots an inch, sharp on any projector.
PNG_SCALE = 3
INDICATOR_COLUMNS = ("indicator", "year", "value", "eu", "position", "target", "progress")
# The printed pack's status colours (templates/briefing.html.j2), dark enough for text on white; the word
# and its symbol always go with them, so the status never rests on colour alone.
STATUS_RGB = {
    "target_met": "006D4F", "on_track": "006D4F", "moderate": "8A5A00", "insufficient": "A33D00",
    "moving_away": "9B1C2E", "insufficient_data": "52606D",
}  # fmt: skip
SCORECARD_COLUMNS = ("objective", "status", "headline", "value", "eu", "position", "target")


@dataclass(frozen=True)
class Chart:
    """A figure laid out for the pack (CHART_W wide, `height` high), drawn by the writer that needs it."""

    figure: go.Figure
    height: int


@dataclass(frozen=True)
class IndicatorSection:
    id: str
    title: str  # with "lower is better" where it is
    year: str
    stale: str
    value: str
    eu: str
    position: str
    target: str  # with its scope (EU or BE) and year
    status: str
    status_text: str  # symbol and word: the status reads without colour
    sentence: str
    notes: tuple[str, ...]
    chart: Chart | None
    source: str  # publisher, dataset code, upstream update date, flags, key to the event lines

    def cells(self) -> tuple[str, ...]:
        """The row of the objective's indicator table, in INDICATOR_COLUMNS order."""
        year = f"{self.year} ({self.stale})" if self.stale else self.year
        return (self.title, year, self.value, self.eu, self.position, self.target, self.status_text)


@dataclass(frozen=True)
class ActionSummary:
    """An objective's action lines, briefly: the counts by status (or that no source names any), and the
    lines whose status is known, with its date: apart from the indicators' status, never blended into it."""

    heading: str
    counts: str
    known: tuple[str, ...]


@dataclass(frozen=True)
class ObjectiveSection:
    number: int
    heading: str  # "3. Boosting Belgium's competitiveness…"
    status: str
    status_text: str
    evidence: str
    counts: str
    next_release: str
    indicators: tuple[IndicatorSection, ...]
    actions: ActionSummary | None = None

    @property
    def headline(self) -> IndicatorSection:
        return self.indicators[0]

    @property
    def featured(self) -> IndicatorSection:
        """The indicator a slide or a page shows the chart of: the headline, or where the headline has no
        figures yet, the first of the objective's indicators that has (its own title says which)."""
        return next((i for i in self.indicators if i.chart), self.headline)


@dataclass(frozen=True)
class ScorecardRow:
    objective: str
    status: str
    status_text: str
    evidence: str
    headline: str
    headline_status: str
    headline_status_text: str
    value: str  # with its year in brackets
    stale: str
    eu: str
    position: str
    target: str


@dataclass(frozen=True)
class Annex:
    title: str
    sources_title: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    method_title: str
    method_markdown: str


@dataclass(frozen=True)
class SinceSection:
    """The pack's first page after the cover: what changed since the last meeting (presentation/changes.py,
    the rows of `aiplan changes`), at most MAX_SINCE_ROWS of them, then a line saying how many more."""

    heading: str
    intro: str
    head: tuple[str, ...]
    lines: tuple[ChangeLine, ...]
    more: str  # "… and 12 more rows" or ""
    none: str  # what the page says when nothing changed
    since: date
    # Action lines whose status changed since then (issue 15, point 2): filled by the action-line register's
    # writer as (title, old status, new status, evidence date) rows in the reader's words; empty until then.
    action_lines: tuple[tuple[str, ...], ...] = ()
    action_heading: str = ""  # "Action lines whose status changed since …", when there are any

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return tuple(line.cells() for line in self.lines)


MAX_SINCE_ROWS = 40  # what one page holds; the app and `aiplan changes` list every row


@dataclass(frozen=True)
class Pack:
    lang: str
    geo: str
    title: str
    tagline: str
    cover_lines: tuple[tuple[str, str], ...]  # (label, value): country, language, dates
    cover_note: str
    since: SinceSection
    scorecard_title: str
    scorecard_intro: str
    scorecard_head: tuple[str, ...]
    scorecard: tuple[ScorecardRow, ...]
    indicator_head: tuple[str, ...]
    no_chart: str
    objectives: tuple[ObjectiveSection, ...]
    annex: Annex

    def label(self, key: str) -> str:
        """A message of the pack in its language (pack.yaml, app.yaml)."""
        return t(key, self.lang)


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    geo: str,
    lang: str,
    since: date | None = None,
    today: date | None = None,
) -> Pack:
    """The pack's content for `geo` in `lang`; figures are built, not drawn (no browser here). `today` (the
    cover's date) and `since` (default: the committee's last meeting) come from a pack record when one is
    regenerated."""
    today = today or datetime.now(UTC).date()
    since = since or default_since(load_meetings(), today)
    card = reports.scorecard(con, geo, lang)
    names = display_names(lang, reports.geo_labels(con, lang))
    return Pack(
        lang=lang,
        geo=geo,
        title=t("briefing.title", lang),
        tagline=t("app.tagline", lang),
        cover_lines=_cover_lines(names, geo, reports.data_currency(con), lang, today),
        cover_note=t("briefing.cover_note", lang),
        since=_since(con, card, names, geo, lang, since),
        scorecard_title=t("scorecard.header", lang, geo=names.get(geo, geo)),
        scorecard_intro=t("scorecard.intro", lang),
        scorecard_head=tuple(t(f"briefing.col.{k}", lang) for k in SCORECARD_COLUMNS),
        scorecard=tuple(_scorecard_row(obj, lang) for obj in card.objectives),
        indicator_head=tuple(t(f"briefing.col.{k}", lang) for k in INDICATOR_COLUMNS),
        no_chart=t("briefing.no_chart", lang),
        objectives=tuple(_objective(con, card, obj, names, geo, lang) for obj in card.objectives),
        annex=_annex(con, lang),
    )


def language_name(lang: str) -> str:
    """'fr' → 'Français': the language named in itself (CLDR via Babel), as a reader looks for it."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def _since(con, card: Scorecard, names: dict, geo: str, lang: str, since: date) -> SinceSection:
    found = changes.lines(reports.changes(con, since, geo), card, names, lang)
    where, day = names.get(geo, geo), fmt_date(since, lang)
    more = len(found) - MAX_SINCE_ROWS
    changed = [
        line for line in actions.register() if line.status_date is not None and line.status_date >= since
    ]
    return SinceSection(
        heading=t("changes.pack_heading", lang),
        intro=" ".join(
            filter(
                None, [t("changes.pack_intro", lang, geo=where, date=day), _history_note(con, since, lang)]
            )
        ),
        head=changes.headers(lang),
        lines=tuple(found[:MAX_SINCE_ROWS]),
        more=t("changes.pack_more", lang, n=fmt_number(more, lang, 0)) if more > 0 else "",
        none=t("changes.none", lang, geo=where, date=day),
        since=since,
        # The register holds each line's present status and the date of its evidence: a line whose evidence
        # is dated on or after the day is one whose status changed since (the register's file keeps the old).
        action_lines=tuple(
            (f"{row['id']} {row['title']}", row["status_word"], row["date"])
            for row in actions.rows(changed, lang)
        ),
        action_heading=t("changes.pack_actions", lang, date=day) if changed else "",
    )


def _history_note(con, since: date, lang: str) -> str:
    """What the pack cannot know: changes before the warehouse's first build (a snapshot is the baseline)."""
    start = reports.history_start(con)
    return t("changes.history_starts", lang, date=fmt_date(start, lang)) if start and since < start else ""


def _cover_lines(
    names: dict, geo: str, currency: dict, lang: str, today: date
) -> tuple[tuple[str, str], ...]:
    updated = fmt_date(currency.get("newest_upstream_update"), lang)
    data = t("briefing.data_currency_value", lang, first=currency.get("latest_year_oldest"),
             last=currency.get("latest_year_newest"), updated=updated)  # fmt: skip
    return (
        (t("briefing.country", lang), names.get(geo, geo)),
        (t("pack.language", lang), language_name(lang)),
        (t("briefing.date", lang), fmt_date(today.isoformat(), lang)),
        (t("briefing.data_currency", lang), data),
        (t("briefing.built", lang), fmt_date(currency.get("built_at"), lang)),
    )


def _status(code: str, lang: str, kind: str = "target") -> str:
    return f"{status.SYMBOL[code]} {status.word(code, lang, kind)}"


def _titled(ind: IndicatorEntry, lang: str) -> str:
    """The indicator's title, with "lower is better" where it is."""
    if ind.direction == "decrease":
        return f"{ind.title} ({t('direction.lower_better', lang)})"
    return ind.title


def _value(ind: IndicatorEntry, lang: str, value: float | None) -> str:
    unit = UNITS[ind.unit]
    return fmt_value(value, unit.percent, lang, unit.decimals)


def _scorecard_row(obj: ObjectiveEntry, lang: str) -> ScorecardRow:
    head = obj.indicators[0]
    value = _value(head, lang, head.value)
    if head.latest_period:
        value += f" ({head.latest_period})"
    return ScorecardRow(
        objective=f"{obj.number}. {obj.title}",
        status=obj.status, status_text=_status(obj.status, lang, obj.status_kind),
        evidence=status.evidence_short(obj.evidence, lang),
        headline=_titled(head, lang), headline_status=head.status,
        headline_status_text=_status(head.status, lang, head.status_kind),
        value=value, stale=status.stale_text(head, lang) or "",
        eu=_value(head, lang, head.eu_value), position=status.position_text(head, lang) or "–",
        target=status.target_text(head, lang),
    )  # fmt: skip


def _objective(
    con, card: Scorecard, obj: ObjectiveEntry, names: dict, geo: str, lang: str
) -> ObjectiveSection:
    return ObjectiveSection(
        number=obj.number,
        heading=f"{obj.number}. {obj.title}",
        status=obj.status, status_text=_status(obj.status, lang, obj.status_kind),
        evidence=t("label.pair", lang, label=t("evidence.label", lang),
                   value=status.evidence_text(obj.evidence, lang)),
        counts=t("scorecard.counts", lang, counts=status.indicator_counts_text(obj.indicators, lang)),
        next_release=status.next_release_text(obj.next_release, lang, objective=True) or "",
        indicators=tuple(_indicator(con, card, ind, names, geo, lang) for ind in obj.indicators),
        actions=action_summary(obj.number, lang),
    )  # fmt: skip


def action_summary(number: int, lang: str) -> ActionSummary:
    """The objective's action lines (indicators/actions.yaml) as the pack says them."""
    lines = actions.of_objective(actions.register(), number)
    known = tuple(
        t("action.line_dated", lang, id=x.id, title=x.title.get(lang), date=fmt_date(x.status_date, lang),
          status=f"{actions.symbol(x.status)} {actions.word(x.status, lang)}")
        for x in lines if x.status != NO_ACTION_STATUS
    )  # fmt: skip
    counts = actions.counts_text(lines, lang) or t("action.none", lang)
    return ActionSummary(t("action.section", lang), counts, known)


def _indicator(
    con, card: Scorecard, ind: IndicatorEntry, names: dict, geo: str, lang: str
) -> IndicatorSection:
    chart, source = None, ""
    if ind.data == "available" and ind.value is not None:
        chart, source = _chart(con, card, ind, geo, lang)
    notes = (
        ind.target.note if ind.target else None,
        *ind.notes,
        status.next_release_text(ind.next_release, lang) if ind.status == "insufficient_data" else None,
    )
    return IndicatorSection(
        id=ind.id, title=_titled(ind, lang),
        year=ind.latest_period or "–", stale=status.stale_text(ind, lang) or "",
        value=_value(ind, lang, ind.value), eu=_value(ind, lang, ind.eu_value),
        position=status.position_text(ind, lang) or "–", target=status.target_text(ind, lang),
        status=ind.status, status_text=_status(ind.status, lang, ind.status_kind),
        sentence=narrative.objective_sentence(ind, geo_name=names.get(geo, geo), lang=lang),
        notes=tuple(n for n in notes if n), chart=chart, source=source,
    )  # fmt: skip


def _chart(con, card: Scorecard, ind: IndicatorEntry, geo: str, lang: str) -> tuple[Chart, str]:
    ctx = indicator_context(con, ind.id, geo, lang, card)
    fig = indicator_chart.indicator_figure(
        entry=ctx["entry"], spec=ctx["spec"], values=ctx["values"], meta=ctx["meta"], geo=geo,
        geo_names=ctx["names"], lang=lang, height=TREND_H, framed=False, bar_px=RANKING_BAR_PX, width=CHART_W,
    )  # fmt: skip
    if fig.data and fig.data[0].type != "bar":
        # The legend under the plot, at the foot of the figure, with room for as many rows as its entries
        # need: above the plot it would sit on the event labels, on the axis it would hide the years.
        rows = _legend_rows([tr.name for tr in fig.data if tr.showlegend is not False and tr.name])
        fig.update_layout(legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0,
                                      xanchor="left", font=dict(size=LEGEND_PX)),
                          margin=dict(b=40 + rows * LEGEND_ROW_PX, l=60, r=20),
                          height=TREND_H + rows * LEGEND_ROW_PX)  # fmt: skip
    source = indicator_chart.source_line(ctx["meta"], ctx["values"][ctx["values"]["geo"].isin(
        indicator_chart.comparison_geos(geo, ctx["spec"]))], lang)  # fmt: skip
    return Chart(
        fig, int(fig.layout.height or TREND_H)
    ), f"{source} {indicator_chart.events_line(fig, lang)}".strip()


def _legend_rows(names: list[str]) -> int:
    """How many rows a horizontal legend of these entries takes in the chart's width: once entries wrap,
    plotly lines them up in columns as wide as the widest entry (its symbol, 40 px, and its text at about
    0.62 em a character)."""
    widths = [40 + LEGEND_PX * 0.62 * len(name) for name in names] or [0]
    if sum(widths) <= CHART_W - 20:
        return 1
    per_row = max(1, int((CHART_W - 20) // max(widths)))
    return -(-len(widths) // per_row)


def _annex(con, lang: str) -> Annex:
    rows = tuple(
        (
            r.dataset,
            indicator_chart.attribution(r._asdict(), lang),
            fmt_date(r.upstream_updated, lang),
            # In the reader's words, as the sources page says it (the warehouse keeps the English record).
            t(f"sources.licence.{r.source}", lang),
        )
        for r in reports.datasets(con).itertuples()
    )
    head = tuple(
        t(f"sources.col.{k}", lang) for k in ("dataset", "attribution", "upstream_updated", "licence")
    )
    return Annex(
        title=t("briefing.annex", lang), sources_title=t("sources.header", lang), head=head, rows=rows,
        method_title=t("methodology.header", lang), method_markdown=narrative.method_text(lang),
    )  # fmt: skip


def featured_pngs(pack: Pack) -> dict[int, bytes]:
    """Objective number → its featured chart as PNG (CHART_W × PNG_SCALE px wide), all drawn in one kaleido
    session: one browser start for the nine charts, not one each."""
    charted = [(obj.number, obj.featured.chart) for obj in pack.objectives if obj.featured.chart]
    if not charted:
        return {}
    use_system_chromium()
    with tempfile.TemporaryDirectory(prefix="aiplan_pack_png_") as tmp:
        files = [Path(tmp) / f"objective{number}.png" for number, _ in charted]
        pio.write_images(
            [chart.figure for _, chart in charted], files, format="png", width=CHART_W,
            height=[chart.height for _, chart in charted], scale=PNG_SCALE,
        )  # fmt: skip
        return {number: path.read_bytes() for (number, _), path in zip(charted, files, strict=True)}
