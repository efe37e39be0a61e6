"""The series shown (values, codes, labels, indicator) + language → data files: CSV, CSV for Excel, XLSX,
long or wide (countries × years), each carrying the metadata that says exactly what it holds."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from indicators.model import Indicator
from indicators.units import UNITS
from pipelines import reports
from pipelines.contracts import IndicatorEntry
from presentation import indicator_chart, status
from presentation.codes import MEASURE, SILENT, Codes
from presentation.explore import display_values, series_key_for
from presentation.geo import display_names
from presentation.i18n import fmt_date, t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# csv: the standard (comma, decimal point, UTF-8): what pandas, R and Power Query read by default.
# csv-excel: what a Belgian (fr/nl/de) Excel opens with a double click: its list separator is ';' and its
# decimal mark ',', and only a byte-order mark makes it read UTF-8 (é, ë, ß) instead of Windows-1252.
FORMATS = ("csv", "csv-excel", "xlsx")
FLAGS_LEGEND = ("b", "p", "e", "u", "d", "C")


@dataclass(frozen=True)
class Shown:
    """Exactly what a download holds: one series of one dataset as shown, and what says what it is."""

    source: str
    dataset: str
    codes: dict[str, str]  # every dimension of the series key, as selected
    values: pd.DataFrame  # geo, period, value (display units), obs_flag, conf_flag[, origin]
    names: Codes  # the dataset's labels in the reader's language
    geo_names: dict[str, str]
    unit: str  # the unit in words, in the reader's language
    meta: dict  # the dataset's row of reports.datasets (upstream update, licence, attribution)
    built_at: object = None
    title: str | None = None  # the indicator's title, or the series in words
    spec: Indicator | None = None  # the catalogue entry whose series (or a breakdown of it) this is
    entry: IndicatorEntry | None = None


def clean(value: float | None) -> float | None:
    """A value without binary noise: 34.540000000000006 → 34.54, 0.018000000000000002 → 0.018.

    Fifteen significant digits are what a double holds exactly and what Excel shows; every publisher value
    we read has fewer, so what is cut is only the noise of reading and scaling, never a published digit."""
    if value is None or pd.isna(value):
        return None
    return float(format(float(value), ".15g"))


def _flag(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def long_table(shown: Shown) -> pd.DataFrame:
    """One row per geo and period; the breakdown codes and their labels as columns (codes as headers, for
    machines), values cleaned, absent flags empty."""
    v = shown.values
    out = pd.DataFrame({"geo": v["geo"], "geo_name": v["geo"].map(lambda g: shown.geo_names.get(g, g))})
    for dim, code in shown.codes.items():
        if dim in SILENT:
            continue
        out[dim] = code
        out[f"{dim}_label"] = shown.names.label(dim, code) or ""
    out["period"] = v["period"].astype(str)
    out["value"] = [clean(x) for x in v["value"]]
    for col in ("obs_flag", "conf_flag"):
        out[col] = [_flag(x) for x in v[col]] if col in v else ""
    # Which dataset a value came from, where two publishers' records of one statistic are joined.
    if "origin" in v and v["origin"].nunique() > 1:
        out["origin"] = v["origin"]
    return out.sort_values(["geo", "period"]).reset_index(drop=True)


def wide_tables(shown: Shown) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Countries × periods: the values, and the flags in a table of the same shape."""
    long = long_table(shown)
    long["flag"] = [
        " ".join(f for f in (o, c) if f) for o, c in zip(long["obs_flag"], long["conf_flag"], strict=True)
    ]
    index = ["geo", "geo_name"]
    values = long.pivot(index=index, columns="period", values="value")
    flags = long.pivot(index=index, columns="period", values="flag").reindex_like(values).fillna("")
    values.columns.name = flags.columns.name = None
    return values.reset_index(), flags.reset_index()


def wide_csv_table(shown: Shown) -> pd.DataFrame:
    """The wide table as one CSV: each period's column, then its flags' column ('2023', '2023_flag')."""
    values, flags = wide_tables(shown)
    out = values[["geo", "geo_name"]].copy()
    for period in values.columns[2:]:
        out[period] = values[period]
        out[f"{period}_flag"] = flags[period]
    return out


def _population(shown: Shown, codes: dict[str, str], dims: list[str]) -> str:
    return "; ".join(shown.names.text(d, codes[d]) for d in dims if d in codes)


def _target_rows(shown: Shown, lang: str) -> list[tuple[str, str]]:
    """The target and the population it is set for, said plainly when the series shown is another one."""
    spec, entry = shown.spec, shown.entry
    if spec is None:
        return []
    if spec.target is None or entry is None or entry.target is None:
        return [(t("dl.meta.target", lang), t("dl.meta.no_target", lang))]
    act = spec.target.document.get(lang)
    rows = [(t("dl.meta.target", lang), f"{status.target_text(entry, lang)}, {act}")]
    differ = [d for d, c in spec.series.items() if shown.codes.get(d) != c]
    if differ:
        text = t(
            "dl.meta.target_other_series",
            lang,
            target=_population(shown, dict(spec.series), differ),
            shown=_population(shown, shown.codes, differ),
        )
    else:
        dims = [d for d in spec.series if d not in MEASURE]
        text = t("dl.meta.target_this_series", lang, population=_population(shown, shown.codes, dims))
    rows.append((t("dl.meta.target_population", lang), text))
    if entry.target.note:
        rows.append((t("dl.meta.target_note", lang), entry.target.note))
    return rows


def metadata_rows(shown: Shown, lang: str) -> list[tuple[str, str]]:
    """What the numbers are, where they come from, which codes were selected, what the flags mean."""
    meta, spec = shown.meta, shown.spec
    periods = sorted(shown.values["period"].astype(str).unique())
    rows = [(t("dl.meta.title", lang), shown.title or shown.names.series("|".join(
        f"{d}={c}" for d, c in shown.codes.items())))]  # fmt: skip
    if spec is not None and spec.definition.get(lang):
        rows.append((t("dl.meta.definition", lang), spec.definition.get(lang)))
    rows += [
        (t("dl.meta.unit", lang), shown.unit),
        (t("dl.meta.source", lang), indicator_chart.attribution(meta, lang) or shown.source),
        (t("dl.meta.dataset", lang), f"{shown.source}/{shown.dataset}"),
    ]
    # Every code of the series as selected, with its label: the series itself, not the indicator's default.
    rows += [
        (t("dl.meta.code", lang, dimension=shown.names.dimension(d)), shown.names.described(d, c))
        for d, c in shown.codes.items()
    ]
    if spec is not None and "origin" in shown.values:
        # Years the indicator's own dataset lacks, from another publisher's record of the same statistic.
        used = set(shown.values["origin"].dropna())
        rows += [
            (t("dl.meta.supplement", lang), f"{s.source}/{s.dataset}: "
             + ", ".join(shown.names.described(d, c) for d, c in s.series.items()))
            for s in spec.supplements if f"{s.source}/{s.dataset}" in used
        ]  # fmt: skip
    rows += [
        (t("dl.meta.periods", lang), f"{periods[0]}–{periods[-1]}" if periods else "–"),
        (t("dl.meta.geos", lang), ", ".join(sorted(shown.values["geo"].unique()))),
        (t("dl.meta.upstream_updated", lang), fmt_date(meta.get("upstream_updated"), lang)),
        # The licence in the reader's words, as the sources page says it (the warehouse keeps the English).
        (t("dl.meta.licence", lang), t(f"sources.licence.{shown.source}", lang)),
        (t("dl.meta.extracted", lang), fmt_date(datetime.now(UTC), lang)),
        (t("dl.meta.warehouse", lang), fmt_date(shown.built_at, lang)),
        *_target_rows(shown, lang),
    ]
    seen = {f for col in ("obs_flag", "conf_flag") if col in shown.values for f in shown.values[col].dropna()}
    for flag in dict.fromkeys([*FLAGS_LEGEND, *sorted(seen)]):
        text = t(f"flag.{flag}", lang)
        rows.append((t("dl.meta.flag", lang), text if text != f"flag.{flag}" else flag))
    return rows


def metadata_text(rows: list[tuple[str, str]], lang: str) -> str:
    sep = t("dl.meta.sep", lang)
    return "".join(f"{field}{sep}{value}\r\n" for field, value in rows)


COLUMNS = ("geo", "geo_name", "period", "value", "obs_flag", "conf_flag", "origin")


def for_readers(table: pd.DataFrame, shown: Shown, lang: str) -> pd.DataFrame:
    """Column headers in the reader's language, for the files people open (XLSX, CSV for Excel); the
    standard CSV keeps the codes as headers, for scripts."""
    names = {c: t(f"dl.col.{c}", lang) for c in COLUMNS}
    for dim in shown.codes:
        names[dim] = t("dl.col.code", lang, dimension=shown.names.dimension(dim))
        names[f"{dim}_label"] = shown.names.dimension(dim)
    for col in table.columns:
        if str(col).endswith("_flag") and col not in names:
            names[col] = t("dl.col.flag_of", lang, period=str(col).removesuffix("_flag"))
    return table.rename(columns=names)


def csv_bytes(table: pd.DataFrame, excel: bool = False) -> bytes:
    """The standard CSV, or with excel=True the one a Belgian Excel opens as it is (';', ',', BOM)."""
    if excel:
        text = table.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
        return text.encode("utf-8-sig")
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _sheet(name: str) -> str:
    # Excel forbids []:*?/\ in sheet names and cuts them at 31 characters.
    return "".join(c for c in name if c not in "[]:*?/\\")[:31]


def xlsx_bytes(shown: Shown, lang: str, wide: bool = False) -> bytes:
    buf = io.BytesIO()
    meta = pd.DataFrame(
        metadata_rows(shown, lang), columns=[t("dl.meta.field", lang), t("dl.meta.value", lang)]
    )
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        if wide:
            values, flags = (for_readers(x, shown, lang) for x in wide_tables(shown))
            values.to_excel(writer, sheet_name=_sheet(t("dl.sheet.values", lang)), index=False)
            flags.to_excel(writer, sheet_name=_sheet(t("dl.sheet.flags", lang)), index=False)
        else:
            table = for_readers(long_table(shown), shown, lang)
            table.to_excel(writer, sheet_name=_sheet(t("dl.sheet.data", lang)), index=False)
        meta.to_excel(writer, sheet_name=_sheet(t("dl.sheet.metadata", lang)), index=False)
        for sheet in writer.book.worksheets:
            # Readable without resizing: each column as wide as its longest text (within reason).
            for col in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
                sheet.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 80)
    return buf.getvalue()


def files(shown: Shown, lang: str, fmt: str, stem: str, wide: bool = False) -> dict[str, bytes]:
    """File name → bytes: an XLSX (metadata in a sheet), or a CSV and its `-metadata.txt` sidecar.

    The CSV stays a plain table (its first line the header) because header lines above it break what
    analysts open it with (Excel's and Power Query's header detection, pandas, R); the metadata travel
    beside it, in the reader's language."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    suffix = "-wide" if wide else ""
    if fmt == "xlsx":
        return {f"{stem}{suffix}.xlsx": xlsx_bytes(shown, lang, wide)}
    excel = fmt == "csv-excel"
    table = wide_csv_table(shown) if wide else long_table(shown)
    table = for_readers(table, shown, lang) if excel else table
    text = metadata_text(metadata_rows(shown, lang), lang)
    name = f"{stem}{suffix}{'-excel' if excel else ''}"
    meta = text.encode("utf-8-sig") if excel else text.encode("utf-8")
    return {f"{name}.csv": csv_bytes(table, excel), f"{name}-metadata.txt": meta}


def download_name(stem: str, fmt: str, wide: bool = False) -> tuple[str, str]:
    """The file a browser receives → (name, mime): the XLSX, or a ZIP of the CSV and its metadata."""
    if fmt == "xlsx":
        return f"{stem}{'-wide' if wide else ''}.xlsx", XLSX_MIME
    return f"{stem}{'-wide' if wide else ''}{'-excel' if fmt == 'csv-excel' else ''}.zip", "application/zip"


def download_bytes(shown: Shown, lang: str, fmt: str, stem: str, wide: bool = False) -> bytes:
    found = files(shown, lang, fmt, stem, wide)
    if fmt == "xlsx":
        return next(iter(found.values()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in found.items():
            z.writestr(name, body)
    return buf.getvalue()


def make_shown(
    spec: Indicator,
    entry: IndicatorEntry,
    codes: dict[str, str],
    values: pd.DataFrame,
    names: Codes,
    geo_names: dict[str, str],
    meta: dict,
    built_at,
    lang: str,
) -> Shown:
    """What the explorer shows of an indicator: its own series, or the breakdown `codes` select."""
    changed = [names.text(d, c) for d, c in codes.items() if spec.series.get(d) != c]
    return Shown(
        source=spec.source, dataset=spec.dataset, codes=dict(codes), values=values, names=names,
        geo_names=geo_names, unit=_unit(spec, names, codes, lang),
        meta=meta, built_at=built_at, title=" — ".join([entry.title, *changed]), spec=spec, entry=entry,
    )  # fmt: skip


def _unit(spec: Indicator, names: Codes, codes: dict[str, str], lang: str) -> str:
    """The catalogue's unit in words, unless the series shown has another unit code than the indicator's."""
    if codes.get("unit") == spec.series.get("unit"):
        return UNITS[spec.unit].get(lang)
    return names.text("unit", codes["unit"])


def indicator_shown(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    lang: str,
    geo: str = "BE",
    geos: list[str] | None = None,
    codes: dict[str, str] | None = None,
) -> Shown:
    """An indicator's own series (with the years another publisher's record adds), or the breakdown `codes`
    select, for `geos` (all if None), as the explorer and the command line export it."""
    card = reports.scorecard(con, geo, lang)
    entry = card.indicator(indicator_id)
    if entry is None:
        raise KeyError(f"unknown indicator {indicator_id!r}")
    spec = next(s.spec for s in reports.indicator_specs(con) if s.id == indicator_id)
    codes = dict(spec.series) | dict(codes or {})
    keys = reports.dataset_series_keys(con, spec.source, spec.dataset)
    if codes == dict(spec.series):
        values = reports.indicator_values(con, indicator_id, geos)
    else:
        key = series_key_for(codes, keys)
        if key is None:
            raise KeyError(f"{indicator_id}: no series of {spec.dataset} has the codes {codes}")
        values = display_values(
            reports.series_observations(con, spec.source, spec.dataset, key, geos), spec.multiplier
        )
    ds = reports.datasets(con)
    meta = ds[(ds["source"] == spec.source) & (ds["dataset"] == spec.dataset)]
    return make_shown(
        spec, entry, codes, values, codes_of(con, spec.source, spec.dataset, lang),
        display_names(lang, reports.geo_labels(con, lang)), meta.iloc[0].to_dict() if len(meta) else {},
        card.built_at, lang,
    )  # fmt: skip


def codes_of(con: duckdb.DuckDBPyConnection, source: str, dataset: str, lang: str) -> Codes:
    return Codes(
        lang,
        own=reports.labels(con, source, dataset, lang, fallback=False),
        fallback=reports.labels(con, source, dataset, lang),
    )
