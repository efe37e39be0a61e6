"""Streamlit building blocks shared by the pages: language, country, status badges, indicator sections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import downloads, figure_cache, queries, state
from indicators.model import Indicator
from indicators.vocabulary import EU27
from pipelines.contracts import IndicatorEntry
from presentation import actions, explore, geo, indicator_chart, narrative, status
from presentation.i18n import DEFAULT_LANG, fmt_date, t


def lang() -> str:
    """The interface language, chosen in the sidebar by the entry point (URL parameter `lang`)."""
    return st.session_state.get("lang", DEFAULT_LANG)


def version() -> int:
    return queries.warehouse_version()


def geo_names(v: int, language: str | None = None) -> dict[str, str]:
    """Geo code → name in the interface language (the publisher's English label where we have no other)."""
    language = language or lang()
    return geo.display_names(language, queries.geo_labels(v, language))


def geo_selector(v: int, lang: str) -> str:
    """The member state, or Belgian region, the pages are about (URL parameter `geo`, default BE): the
    regions follow the member states, a geography of their own that is never ranked against them."""
    names = geo_names(v)
    options = sorted(EU27, key=lambda g: names.get(g, g)) + queries.regions(v)
    with st.sidebar:
        return state.select(
            t("sidebar.geo", lang), options, key="geo", default="BE", lang=lang,
            format_func=lambda g: names.get(g, g), help=t("sidebar.geo_help", lang),
        )  # fmt: skip


def data_as_of(v: int, lang: str) -> None:
    """How current the data are (years, publisher's update), and the build time as such: three dates."""
    st.sidebar.caption(data_currency_text(v, lang))


def data_currency_text(v: int, lang: str) -> str:
    c = queries.data_currency(v)
    built = fmt_date(c.get("built_at"), lang)
    if c.get("latest_year_oldest") is None:
        return t("sidebar.data_currency_none", lang, built=built)
    return t("sidebar.data_currency", lang, first=c["latest_year_oldest"], last=c["latest_year_newest"],
             updated=fmt_date(c.get("newest_upstream_update"), lang), built=built)  # fmt: skip


def status_badge(code: str, lang: str, kind: str = "target") -> None:
    st.badge(status.word(code, lang, kind), icon=status.icon(code), color=status.colour(code))


def indicator_badges(entry: IndicatorEntry, lang: str) -> None:
    """Progress (the status, in its kind's words), position against the EU, and age when stale: three
    separate badges, so that neither reads as the other."""
    word = status.word(entry.status, lang, entry.status_kind)
    # Position and age as coloured text, which wraps in a narrow tile where a badge would be cut.
    lines = []
    if entry.stale and entry.latest_year is not None:
        # A stale trend says where things stood then: its year in the label, and grey, so that it never
        # reads as today's progress beside current indicators; text, as the longer label would be cut.
        label = t("progress.label_of_year", lang, year=int(entry.latest_year))
        lines.append(f":gray[:material/history: {t('label.pair', lang, label=label, value=word)}]")
    else:
        progress = t("label.pair", lang, label=t("progress.label", lang), value=word)
        st.badge(progress, icon=status.icon(entry.status), color=status.colour(entry.status))
    position = status.position_text(entry, lang)
    if position:
        icon, colour = status.POSITION_STYLE[entry.position or "level"]
        lines.append(
            f":{colour}[{icon} {t('label.pair', lang, label=t('position.label', lang), value=position)}]"
        )
    stale = status.stale_text(entry, lang)
    if stale:
        lines.append(f":orange[:material/history: {stale}]")
    if lines:
        st.markdown("  \n".join(lines))


def dataset_meta(v: int, source: str, dataset: str) -> dict:
    ds = queries.datasets(v)
    row = ds[(ds["source"] == source) & (ds["dataset"] == dataset)]
    return row.iloc[0].to_dict() if len(row) else {}


def indicator_section(entry: IndicatorEntry, spec: Indicator, geo: str, v: int, lang: str) -> None:
    """One indicator on an objective page: status, sentence, chart, text summary, source, card and table."""
    names = geo_names(v)
    with st.container(border=True):
        st.subheader(entry.title, anchor=entry.id)
        indicator_badges(entry, lang)
        if entry.direction == "decrease":
            st.caption(t("direction.lower_better", lang))
        st.write(narrative.objective_sentence(entry, geo_name=names.get(geo, geo), lang=lang))
        if entry.target and entry.target.note:
            st.caption(entry.target.note)
        for note in entry.notes:
            st.caption(note)
        if entry.status == "insufficient_data":
            upcoming = status.next_release_text(entry.next_release, lang)
            if upcoming:
                st.caption(f":material/event: {upcoming}")
        if entry.data != "available":
            st.info(t("objective.no_data", lang), icon=":material/info:")
            _details(spec, lang)
            return
        values = queries.indicator_values(v, entry.id)
        meta = dataset_meta(v, spec.source, spec.dataset)
        fig = figure_cache.indicator_figure(
            v, entry.id, geo, lang, _entry=entry, _spec=spec, _values=values, _meta=meta, _names=names
        )
        # No toolbar: on a phone it covers the chart's top edge; the downloads below give the chart and data.
        st.plotly_chart(fig, width="stretch", key=f"chart_{entry.id}", config={"displayModeBar": False})
        st.caption(indicator_chart.text_summary(entry, spec, values, geo, names, lang))
        source = indicator_chart.source_line(meta, values[values["geo"].isin(_shown_geos(geo, spec))], lang)
        st.caption(f"{source} {indicator_chart.events_line(fig, lang)}".strip())
        with st.expander(t("objective.card", lang), icon=":material/calculate:"):
            for line in narrative.card_lines(entry, geo_name=names.get(geo, geo), lang=lang):
                st.markdown(f"- {line}")
        downloads.indicator_downloads(v, entry.id, geo, lang)
        with st.expander(t("objective.table", lang), icon=":material/table:"):
            shown = values[values["geo"].isin(indicator_chart.comparison_geos(geo, spec))]
            st.dataframe(explore.on_screen(explore.view_table(shown, names), lang), hide_index=True,
                         width="stretch")  # fmt: skip
        _details(spec, lang)


def _shown_geos(geo: str, spec: Indicator) -> list[str]:
    return indicator_chart.comparison_geos(geo, spec)


def _details(spec: Indicator, lang: str) -> None:
    """The definition (and why a proxy stands in) for every reader; the source choice, the codes and the
    technical notes folded away for analysts."""
    lines = [
        t("label.pair", lang, label=f"**{t('objective.definition', lang)}**", value=spec.definition.get(lang))
    ]
    if spec.proxy:
        lines.append(t("objective.proxy", lang, reason=catalogue_text(spec.proxy, lang)))
    st.caption("  \n".join(lines))
    with st.expander(t("objective.details", lang), icon=":material/dataset:"):
        st.caption("  \n".join(_analyst_lines(spec, lang)))


def _analyst_lines(spec: Indicator, lang: str) -> list[str]:
    codes = ", ".join(f"{d}={c}" for d, c in spec.series.items())
    lines = []
    if spec.source_choice:
        lines.append(t("objective.source_choice", lang, text=catalogue_text(spec.source_choice, lang)))
    lines.append(t("objective.codes", lang, source=spec.source, dataset=spec.dataset, codes=codes))
    return lines + [catalogue_text(note, lang) for note in spec.technical_notes]


def catalogue_text(text, lang: str) -> str:
    """A catalogue text in the reader's language; one the catalogue holds in English only is shown as it is,
    marked '(in English)' in the reader's language, so that it reads as a quotation, not as a lapse."""
    if hasattr(text, "get"):  # a translated mapping (Translated, PartlyTranslated)
        return text.get(lang)
    if lang == DEFAULT_LANG:
        return text
    return t("objective.in_english", lang, text=text)


def action_counts_markdown(lines, lang: str) -> str:
    """An objective's action lines by status as coloured badges (words and icons, grey for no evidence), with
    the total: never a colour alone, never blended into the indicators' status."""
    items = {
        s: t("action.count_item", lang, n=n, status=actions.word(s, lang))
        for s, n in actions.counts(lines).items()
    }
    badges = " ".join(f":{actions.colour(s)}-badge[{actions.icon(s)} {text}]" for s, text in items.items())
    return t("action.counts", lang, count=len(lines), n=len(lines), counts=badges)


def action_lines_table(lines, lang: str) -> None:
    """The lines as a table: id, title, status word, date, responsible body, evidence link."""
    table = pd.DataFrame(actions.rows(lines, lang))
    table["status_word"] = [
        f"{actions.symbol(s)} {w}" for s, w in zip(table["status"], table["status_word"], strict=True)
    ]
    # The responsible body where a source names one: a column only when some line has it.
    cols = ["id", "title", "status_word", "date", *(["lead"] if table["lead"].any() else []), "evidence"]
    names = {c: t(f"action.col.{'status' if c == 'status_word' else c}", lang) for c in cols}
    st.dataframe(
        table[cols].rename(columns=names),
        hide_index=True,
        use_container_width=True,
        column_config={
            names["id"]: st.column_config.TextColumn(width=48),
            names["status_word"]: st.column_config.TextColumn(width=170),
            names["date"]: st.column_config.TextColumn(width=120),
            names["evidence"]: st.column_config.LinkColumn(
                display_text=t("action.evidence_link", lang), width=80
            ),
        },
    )
