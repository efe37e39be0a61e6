"""Warehouse + indicator + geo + language → publication files: chart images (PNG/SVG/PDF), data (CSV/XLSX)."""

from __future__ import annotations

import os
import shutil

import duckdb
import plotly.graph_objects as go

from pipelines import reports
from pipelines.contracts import Scorecard
from presentation import indicator_chart
from presentation.geo import display_names

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
WIDTH, HEIGHT = 1200, 720


def use_system_chromium() -> None:
    """kaleido drives a Chrome; point it at Debian's chromium (it must never download one)."""
    if "BROWSER_PATH" not in os.environ:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found:
            os.environ["BROWSER_PATH"] = found


def indicator_context(
    con: duckdb.DuckDBPyConnection, indicator_id: str, geo: str, lang: str, card: Scorecard | None = None
) -> dict:
    """Everything a chart or table export of one indicator needs; `card`: the scorecard, if already read."""
    card = card or reports.scorecard(con, geo, lang)
    entry = card.indicator(indicator_id)
    if entry is None:
        raise KeyError(f"unknown indicator {indicator_id!r}")
    spec = next(s.spec for s in reports.indicator_specs(con) if s.id == indicator_id)
    ds = reports.datasets(con)
    meta = ds[(ds["source"] == spec.source) & (ds["dataset"] == spec.dataset)]
    return {
        "entry": entry,
        "spec": spec,
        "values": reports.indicator_values(con, indicator_id),
        "meta": meta.iloc[0].to_dict() if len(meta) else {},
        "names": display_names(lang, reports.geo_labels(con, lang)),
        "built_at": card.built_at,
    }


def chart_figure(ctx: dict, geo: str, lang: str, geos: list[str] | None = None) -> go.Figure:
    """The publication chart: title, unit, legend, target and its label, source line, flags, house style."""
    return indicator_chart.indicator_figure(
        entry=ctx["entry"], spec=ctx["spec"], values=ctx["values"], meta=ctx["meta"], geo=geo,
        geo_names=ctx["names"], lang=lang, geos=geos, height=HEIGHT, framed=True, width=WIDTH,
    )  # fmt: skip


def image_bytes(fig: go.Figure, fmt: str, *, width: int = WIDTH, height: int | None = None) -> bytes:
    """The figure as an image `width` px wide (what chart_figure laid it out for) and as high as the figure
    says (a ranking is as high as its bars need), else HEIGHT."""
    if fmt not in IMAGE_TYPES:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(IMAGE_TYPES)}")
    use_system_chromium()
    height = height or fig.layout.height or HEIGHT
    return fig.to_image(format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1)
