"""The Commission's DESI 2022 workbook (sheets Data, Metadata) → ReadResult, one value per reference year.

`Data` rows are (edition y1..y6 = DESI 2017..2022, country); `Metadata` gives per indicator the reference
year each edition reports (`Year 1`..`Year 6`), which becomes `period`. Where editions repeat a reference
year the latest edition's value is kept. The edition of every kept value is recorded twice:
labels rows `dimension="edition"`, `code="<series_key>|<geo>|<period>"`, `label="DESI 2021"` (the warehouse
keeps them as `observations.edition`, not in labels), and `DesiReadResult.editions`, every non-empty cell with
`edition`, `edition_code` and `kept`, superseded ones included. Values stay as the workbook has them
(shares 0–1, scores 0–100); each indicator's unit text is a labels row `dimension="unit"`.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from pipelines.readers.base import LABEL_COLUMNS, ReaderError, ReadResult, finalize

FORMAT = "desi-xlsx"
SOURCE = "desi"
DATASET = "desi_2022"
TITLE = "Digital Economy and Society Index (DESI) 2022"
EXPECTED = "the DESI 2022 workbook with sheets 'Data' and 'Metadata'"
# y1..y6 are the editions 2017..2022: the workbook's own long table (Data!A198:C…) pairs `y6_AT` with
# Year 2022 and `y1_AT` with 2017.
EDITIONS = {f"y{i}": 2016 + i for i in range(1, 7)}
# "1a1 At least basic digital skills" → code "1a1", name "At least basic digital skills".
_INDICATOR_RE = re.compile(r"^(?P<code>\d[a-z]\d+)\s+(?P<name>.+?)\s*$")
_EDITION_RE = re.compile(r"^y\d+$")
_REF_RE = re.compile(r"^=\s*'?(?P<sheet>[^'!]+)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)\s*$")
_COUNTRY_OK = re.compile(r"^[A-Z]{2}$")  # AT … SK, EL for Greece, EU for the aggregate


@dataclass
class DesiReadResult(ReadResult):
    """A ReadResult that also carries, per workbook cell, the DESI edition it came from."""

    editions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["series_key", "geo", "period", "edition", "edition_code", "value", "kept"]
        )
    )


def read(path: str | Path, *, dataset: str | None = None) -> DesiReadResult:
    """Read the DESI workbook's `Data` sheet, dating each value by its reference year from `Metadata`."""
    path = Path(path)
    wb = _open(path)
    try:
        for sheet in ("Data", "Metadata"):
            if sheet not in wb.sheetnames:
                raise ReaderError(path, f"no sheet {sheet!r} (sheets: {wb.sheetnames[:8]})", EXPECTED)
        meta = _metadata(path, wb["Metadata"])
        header, block, first_row = _data_block(path, wb["Data"])
        modified = wb.properties.modified
    finally:
        wb.close()
    # Only columns that hold data need a name; cells right of the data may be blank.
    width = max(max((i + 1 for i, v in enumerate(r) if v not in (None, "")), default=0) for r in block)
    header = (header + [None] * width)[:width]
    if any(h is None for h in header):
        # No cached value: the workbook was saved by a tool that does not compute formulas.
        header = _resolve_header(path, header)

    long = _long_cells(path, header, block, first_row, meta)
    code = (dataset or DATASET).lower()
    # Later editions first, so the first row of each key is the one to keep.
    long = long.sort_values("edition", ascending=False, kind="stable")
    key = ["series_key", "geo", "period"]
    long["kept"] = ~long.duplicated(key, keep="first")
    kept = long[long["kept"]]
    superseded = long[~long["kept"]]
    latest = kept.set_index(key)["value"].reindex(pd.MultiIndex.from_frame(superseded[key])).to_numpy()
    differed = int((~np.isclose(superseded["value"].to_numpy(), latest, rtol=1e-9, atol=0)).sum())

    updated = modified.replace(tzinfo=UTC).isoformat() if modified else None
    obs = kept[key + ["value"]].assign(
        source=SOURCE,
        dataset=code,
        obs_flag=None,
        conf_flag=None,
        upstream_updated=updated,
        edition="desi_" + kept["edition"].astype(str),  # the code the Commission's facts use for editions
    )
    notes = [
        "Periods are reference years, not DESI editions; where two editions report the same reference "
        f"year the later edition is kept ({len(superseded)} earlier value(s) set aside, "
        f"{differed} of them different)",
        "Geo 'EU' is kept as in the workbook, whose metadata does not state the EU aggregate's composition",
        "The upstream update date is the workbook's last-saved time, not a release date",
    ]
    return DesiReadResult(
        format=FORMAT,
        source=SOURCE,
        dataset=code,
        observations=finalize(obs, path),
        labels=_labels(code, meta, kept),
        upstream_updated=updated,
        title=TITLE,
        notes=notes,
        editions=long.sort_values(key + ["edition"], kind="stable").reset_index(drop=True),
    )


@dataclass
class _Indicator:
    code: str
    name: str
    unit: str | None
    ref_years: dict[str, str]  # edition code ("y6") → reference year ("2021"); absent when not reported


def _open(path: Path, *, data_only: bool = True) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            # The workbook uses data validation and an external link openpyxl cannot keep; irrelevant here.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except FileNotFoundError as exc:
        raise ReaderError(path, "cannot open: no such file") from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReaderError(path, f"not a readable xlsx workbook ({exc})", EXPECTED) from exc


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # years may be typed as numbers: 2021.0 must read "2021"
    return "" if v is None else str(v).strip()


def _metadata(path: Path, ws) -> dict[str, _Indicator]:
    rows = ws.iter_rows(values_only=True)
    head = [_text(v) for v in next(rows, ())]
    try:
        col_ind = head.index("Indicator")
        col_years = {f"y{i}": head.index(f"Year {i}") for i in range(1, 7)}
    except ValueError as exc:
        raise ReaderError(
            path, f"sheet 'Metadata' header lacks {exc}", "columns Indicator, Year 1..Year 6"
        ) from exc
    col_unit = head.index("Unit of measure") if "Unit of measure" in head else None
    out = {}
    for row in rows:
        name = _text(row[col_ind]) if len(row) > col_ind else ""
        if not name:
            # The indicator table ends at its first blank row; helper tables below reuse the names.
            break
        m = _INDICATOR_RE.match(name)
        if not m:
            continue
        if m["code"] in out:
            raise ReaderError(path, f"sheet 'Metadata' lists indicator {m['code']} twice", EXPECTED)
        years = {ed: _text(row[c]) for ed, c in col_years.items() if c < len(row) and _text(row[c])}
        unit = _text(row[col_unit]) if col_unit is not None and col_unit < len(row) else ""
        out[m["code"]] = _Indicator(m["code"], m["name"], unit or None, years)
    if not out:
        raise ReaderError(path, "sheet 'Metadata' lists no indicator like '1a1 …'", EXPECTED)
    return out


def _data_block(path: Path, ws) -> tuple[list, list[tuple], int]:
    """The header row, the wide (edition, country) rows at the top of `Data` and the first one's number."""
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows, ()))
    block, first_row = [], 0
    for number, row in enumerate(rows, start=2):
        # The wide block ends at the first row without an edition; helper tables follow further down.
        if not _EDITION_RE.match(_text(row[0]) if row else ""):
            if block:
                break
            continue
        first_row = first_row or number
        block.append(row)
    if not block:
        raise ReaderError(path, "sheet 'Data' has no rows with an edition y1..y6 in column A", EXPECTED)
    return header, block, first_row


def _resolve_header(path: Path, header: list) -> list:
    """Header cells without a cached value: follow their `=Metadata!B100` formulas to the cited cells."""
    wb = _open(path, data_only=False)
    try:
        formulas = list(next(wb["Data"].iter_rows(min_row=1, max_row=1, values_only=True), ()))
        refs = {}
        for i, (value, formula) in enumerate(zip(header, formulas, strict=False)):
            m = _REF_RE.match(formula) if value is None and isinstance(formula, str) else None
            if m:
                refs[i] = (m["sheet"], int(m["row"]), openpyxl.utils.column_index_from_string(m["col"]))
        cited = {}
        for sheet, row in {(s, r) for s, r, _ in refs.values()}:
            if sheet not in wb.sheetnames:
                raise ReaderError(path, f"the Data header cites sheet {sheet!r}, which is missing")
            cells = next(wb[sheet].iter_rows(min_row=row, max_row=row, values_only=True), ())
            cited[(sheet, row)] = cells
    finally:
        wb.close()
    out = list(header)
    for i, (sheet, row, col) in refs.items():
        cells = cited[(sheet, row)]
        out[i] = cells[col - 1] if col - 1 < len(cells) else None
    return out


def _long_cells(
    path: Path, header: list, block: list[tuple], first_row: int, meta: dict[str, _Indicator]
) -> pd.DataFrame:
    """One row per non-empty indicator cell: series_key, geo, reference-year period, edition, value."""
    head = [_text(h) for h in header]
    try:
        col_year, col_country = head.index("Year"), head.index("Country")
    except ValueError as exc:
        raise ReaderError(path, f"sheet 'Data' header lacks {exc}", "columns Year, Country") from exc
    indicator_cols = [(i, m["code"]) for i, h in enumerate(head) if (m := _INDICATOR_RE.match(h))]
    if not indicator_cols:
        raise ReaderError(path, "sheet 'Data' header has no indicator column like '1a1 …'", EXPECTED)
    width = max(len(r) for r in block)
    grid = np.array([list(r) + [None] * (width - len(r)) for r in block], dtype=object)

    editions = np.array([_text(v) for v in grid[:, col_year]], dtype=object)
    unknown = sorted(set(editions) - EDITIONS.keys())
    if unknown:
        raise ReaderError(path, f"sheet 'Data' has edition(s) {unknown}", f"editions {sorted(EDITIONS)}")
    countries = np.array([_text(v) for v in grid[:, col_country]], dtype=object)
    bad = sorted({c for c in countries if not _COUNTRY_OK.match(c)})
    if bad:
        raise ReaderError(path, f"sheet 'Data' has country cell(s) {bad[:5]}", "two-letter codes or EU")

    cols = [c for c, _ in indicator_cols]
    codes = np.array([code for _, code in indicator_cols], dtype=object)
    values = grid[:, cols]
    flat = pd.Series(values.ravel(), dtype=object)
    num = pd.to_numeric(flat, errors="coerce").to_numpy(dtype=float).reshape(values.shape)
    # Empty strings and None are "no data"; any other text is an error, never a silent gap.
    blank = (flat.isna() | flat.map(lambda v: isinstance(v, str) and not v.strip())).to_numpy()
    garbage = np.isnan(num) & ~blank.reshape(values.shape)
    if garbage.any():
        r, c = map(int, np.argwhere(garbage)[0])
        raise ReaderError(
            path, f"sheet 'Data' row {first_row + r}, indicator {codes[c]}: {values[r, c]!r} is not a number"
        )
    r_idx, c_idx = np.nonzero(~np.isnan(num))

    ed_codes = editions[r_idx]
    ind_codes = codes[c_idx]
    periods = np.array(
        [meta[i].ref_years.get(e) if i in meta else None for i, e in zip(ind_codes, ed_codes, strict=True)],
        dtype=object,
    )
    undated = pd.isna(periods)
    if undated.any():
        k = int(np.flatnonzero(undated)[0])
        raise ReaderError(
            path,
            f"indicator {ind_codes[k]} has a value in edition {ed_codes[k]} but Metadata gives no reference "
            f"year for it ({int(undated.sum())} such value(s))",
            "a Year 1..Year 6 entry in Metadata for every edition with data",
        )
    return pd.DataFrame(
        {
            "series_key": "indicator=" + pd.Series(ind_codes, dtype=object),
            "geo": countries[r_idx],
            "period": periods,
            "edition": np.array([EDITIONS[e] for e in ed_codes], dtype=np.int64),
            "edition_code": ed_codes,
            "value": num[r_idx, c_idx],
        }
    )


def _labels(code: str, meta: dict[str, _Indicator], kept: pd.DataFrame) -> pd.DataFrame:
    rows = [(SOURCE, code, "indicator", i.code, "en", i.name) for i in meta.values()]
    rows += [(SOURCE, code, "unit", i.code, "en", i.unit) for i in meta.values() if i.unit]
    edition_codes = kept["series_key"] + "|" + kept["geo"] + "|" + kept["period"]
    edition_labels = "DESI " + kept["edition"].astype(str)
    rows += [
        (SOURCE, code, "edition", c, "en", lab)
        for c, lab in zip(edition_codes.tolist(), edition_labels.tolist(), strict=True)
    ]
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)
