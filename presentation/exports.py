"""Warehouse + indicator + geo + language → publication files: chart images (PNG/SVG/PDF), data (CSV/XLSX)."""

from __future__ import annotations

import io
import os
import shutil
from datetime import UTC, datetime

import duckdb
import pandas as pd
import plotly.graph_objects as go

from indicators.units import UNITS
from pipelines import reports
from pipelines.contracts import Scorecard
from presentation import indicator_chart, status
from presentation.geo import display_names
from presentation.i18n import fmt_date, t

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DATA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
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


def data_table(ctx: dict, geos: list[str] | None, lang: str) -> pd.DataFrame:
    values = ctx["values"]
    if geos:
        values = values[values["geo"].isin(geos)]
    columns = ["geo", "period", "value", "obs_flag", "conf_flag"]
    # Which dataset each value came from, where the indicator joins another publisher's record of it.
    columns += ["origin"] if "origin" in values and values["origin"].nunique() > 1 else []
    out = values[columns].copy()
    out.insert(1, "geo_name", out["geo"].map(lambda g: ctx["names"].get(g, g)))
    return out.sort_values(["geo", "period"]).reset_index(drop=True)


def metadata_rows(ctx: dict, lang: str) -> list[tuple[str, str]]:
    """The second sheet of an XLSX export: what the numbers are, where they come from, what the flags mean."""
    spec, meta, entry = ctx["spec"], ctx["meta"], ctx["entry"]
    target = spec.target
    rows = [
        (t("export.meta.indicator", lang), entry.title),
        (t("objective.definition", lang), spec.definition.get(lang)),
        (t("export.meta.unit", lang), UNITS[spec.unit].get(lang)),
        (t("sources.col.source", lang), indicator_chart.attribution(meta, lang) or spec.source),
        (t("sources.col.dataset", lang), spec.dataset),
        (t("export.meta.codes", lang), ", ".join(f"{d}={c}" for d, c in spec.series.items())),
        *[(t("export.meta.supplement", lang), f"{s.source}/{s.dataset}: "
           + ", ".join(f"{d}={c}" for d, c in s.series.items())) for s in spec.supplements],
        (t("sources.col.upstream_updated", lang), fmt_date(meta.get("upstream_updated"), lang)),
        (t("sources.col.licence", lang), meta.get("licence") or ""),
        (t("export.meta.latest", lang), entry.latest_period or "–"),
        (t("export.meta.extracted", lang), datetime.now(UTC).strftime("%Y-%m-%d")),
        (t("export.meta.warehouse", lang), fmt_date(ctx["built_at"], lang)),
        (t("export.meta.target", lang), f"{status.target_text(entry, lang)}, {target.document.get(lang)}"
         if target else t("scorecard.direction_only", lang)),
    ]  # fmt: skip
    if target and entry.target and entry.target.note:
        rows.append((t("export.meta.target_note", lang), entry.target.note))
    rows += [(t("export.meta.flags", lang), t(f"flag.{f}", lang)) for f in ("b", "p", "e", "u", "d", "C")]
    return rows


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode("utf-8")


def xlsx_bytes(table: pd.DataFrame, metadata: list[tuple[str, str]], lang: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=t("export.sheet.data", lang), index=False)
        meta = pd.DataFrame(metadata, columns=[t("export.meta.field", lang), t("export.meta.value", lang)])
        meta.to_excel(writer, sheet_name=t("export.sheet.metadata", lang), index=False)
    return buf.getvalue()
