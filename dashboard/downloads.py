"""Download buttons whose files are made only when clicked (a chart image takes a browser round trip)."""

from __future__ import annotations

from functools import lru_cache, partial

import streamlit as st

from pipelines.settings import get_settings
from pipelines.warehouse import connect_read_only
from presentation.i18n import t

# presentation.briefing and .exports (Jinja2, Markdown, kaleido's helpers: about 0.15 s) are imported where a
# file is made or an indicator's buttons are drawn, not at import: the first scorecard after a server start
# draws sooner.


@lru_cache(maxsize=64)
def _file(version: int, kind: str, indicator: str, geo: str, lang: str, fmt: str) -> bytes:
    # Runs in Streamlit's download thread: its own read-only connection, keyed on the warehouse version.
    from presentation import briefing, data_exports, exports

    con = connect_read_only(get_settings().warehouse)
    try:
        if kind == "briefing":
            return briefing.briefing_file(con, geo=geo, lang=lang, fmt=fmt)
        if kind == "data":
            shown = data_exports.indicator_shown(con, indicator, lang, geo)
            return data_exports.download_bytes(shown, lang, fmt, f"{indicator}_{geo}_{lang}")
        ctx = exports.indicator_context(con, indicator, geo, lang)
        return exports.image_bytes(exports.chart_figure(ctx, geo, lang), fmt)
    finally:
        con.close()


def indicator_downloads(version: int, indicator: str, geo: str, lang: str) -> None:
    from presentation import data_exports, exports

    items = [("chart", f) for f in exports.IMAGE_TYPES] + [("data", f) for f in data_exports.FORMATS]
    for col, (kind, fmt) in zip(st.columns(len(items)), items, strict=True):
        stem = f"{indicator}_{geo}_{lang}"
        # Data: every geo, with the metadata that says what the file holds (a ZIP of CSV and metadata).
        name, mime = (
            (f"{stem}.{fmt}", exports.IMAGE_TYPES[fmt])
            if kind == "chart"
            else data_exports.download_name(stem, fmt)
        )
        col.download_button(
            t(f"export.{kind}", lang, fmt=fmt.upper()) if kind == "chart" else t(f"dl.button.{fmt}", lang),
            data=partial(_file, version, kind, indicator, geo, lang, fmt),
            file_name=name,
            mime=mime,
            on_click="ignore",
            key=f"dl_{indicator}_{kind}_{fmt}",
            icon=":material/download:",
        )


def briefing_download(version: int, geo: str, lang: str) -> None:
    st.download_button(
        t("export.briefing", lang),
        data=partial(_file, version, "briefing", "", geo, lang, "pdf"),
        file_name=f"briefing_{geo}_{lang}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="dl_briefing",
        icon=":material/picture_as_pdf:",
        help=t("export.briefing_help", lang),
        type="primary",
    )


def data_downloads(shown, lang: str, stem: str, key: str) -> None:
    """The series shown as CSV, CSV for Excel and XLSX, one row per value or countries × years; each file is
    made when its button is clicked (`shown`: a presentation.data_exports.Shown)."""
    from presentation import data_exports

    st.markdown(f"**{t('dl.heading', lang)}**")
    wide = (
        st.radio(
            t("dl.layout", lang),
            ["long", "wide"],
            format_func=lambda x: t(f"dl.layout.{x}", lang),
            horizontal=True,
            key=f"{key}_layout",
        )
        == "wide"
    )
    for col, fmt in zip(st.columns(len(data_exports.FORMATS)), data_exports.FORMATS, strict=True):
        name, mime = data_exports.download_name(stem, fmt, wide)
        col.download_button(
            t(f"dl.button.{fmt}", lang),
            data=partial(data_exports.download_bytes, shown, lang, fmt, stem, wide),
            file_name=name,
            mime=mime,
            help=t(f"dl.help.{fmt}", lang),
            on_click="ignore",
            key=f"{key}_{fmt}",
            icon=":material/download:",
        )


# Named here, as the PDF's is above: importing the writers (python-pptx, python-docx) would cost the first
# scorecard 0.4 s; tests/integration/test_pack_files.py holds these equal to briefing.FORMATS.
PACK_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def pack_downloads(version: int, geo: str, lang: str) -> None:
    """The pack to edit: PowerPoint and Word, beside the PDF."""
    row = st.container(horizontal=True)  # side by side where they fit, one under the other on a phone
    for fmt, mime in PACK_TYPES.items():
        row.download_button(
            t(f"pack.download.{fmt}", lang),
            data=partial(_file, version, "briefing", "", geo, lang, fmt),
            file_name=f"briefing_{geo}_{lang}.{fmt}",
            mime=mime,
            on_click="ignore",
            key=f"dl_briefing_{fmt}",
            icon=":material/edit_document:",
            help=t("pack.download_help", lang),
        )
