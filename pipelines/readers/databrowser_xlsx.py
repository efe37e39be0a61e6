"""Eurostat Data Browser spreadsheet export (labels, flag columns) → ReadResult of coded tidy observations."""

from __future__ import annotations

import csv
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from pipelines.readers.base import (
    LABEL_COLUMNS,
    ReaderError,
    ReadResult,
    dataset_from_filename,
    finalize,
    series_key,
    split_flags,
)

FORMAT = "databrowser-xlsx"
SOURCE = "eurostat"
EXPECTED = "a Eurostat Data Browser xlsx export (sheets 'Sheet 1', 'Structure', 'Summary')"
CODELISTS = Path(__file__).resolve().parents[1] / "codelists"
# Shared Eurostat code list (derived from real payloads) first, then this reader's own additions, then older
# labels of a code that exports of earlier years carry ("Germany (until 1990 former territory of the FRG)"):
# read to recognise a label, never to name a code (they are not among the code lists the warehouse shows).
LABEL_FILES = (
    CODELISTS / "eurostat_labels.csv",
    CODELISTS / "databrowser_labels.csv",
    CODELISTS / "variants" / "databrowser_label_variants.csv",
)
# Pseudo-dimension of the code lists that maps dimension titles ("Sector of performance") to codes.
DIMENSION = "dimension"

_DATA_SHEET_RE = re.compile(r"^Sheet \d+$")
_HEADER_RE = re.compile(r"^(?P<dim>[A-Za-z][A-Za-z0-9_]*)(?: \((?P<mode>Labels|Codes)\))?$")
_TIME_HEADERS = {"TIME", "TIME_PERIOD"}
_DATASET_RE = re.compile(r"^(?P<title>.*?)\s*\[(?P<code>[^\]]+)\]\s*$")
_MISSING = ":"  # the export's "not available" special value
_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_NON_DIM = {"value", "flag", "_cell_row", "_cell_col"}  # columns of _Sheet.cells that are not dimensions


@dataclass
class _Sheet:
    """What one `Sheet N` says: its header lines and its cells in long form, still as labels."""

    dataset_text: str | None
    updated_text: object
    extracted_text: str | None
    cells: pd.DataFrame  # one column per dimension (label or code text) + value + flag + cell address
    modes: dict[str, str]  # dimension → "Labels" | "Codes"
    page: dict[str, str]  # slicer dimensions: title ("Sector of performance") → position label


def read(path: str | Path, *, dataset: str | None = None) -> ReadResult:
    """Read one Data Browser export; every label must map back to a Eurostat code or the read fails."""
    path = Path(path)
    wb = _open(path)
    try:
        sheets = [_read_sheet(path, wb[name]) for name in wb.sheetnames if _DATA_SHEET_RE.match(name)]
        if not sheets:
            raise ReaderError(path, f"no data sheet 'Sheet 1' among {wb.sheetnames}", EXPECTED)
        summary_updated = _summary_updated(wb)
        structure = _structure(wb)
    finally:
        wb.close()

    head = sheets[0]
    title, declared = _dataset_text(head.dataset_text)
    code = (dataset or declared or dataset_from_filename(path)).lower()
    updated = _iso(path, head.updated_text if head.updated_text not in (None, "") else summary_updated)

    lookup = _label_lookup()
    label_rows: set[tuple[str, str, str]] = set()
    # Map the full structure too, so a label is checked (and recorded) even where no cell uses it.
    for dim_title, position in structure:
        dim = _lookup_one(path, DIMENSION, dim_title, lookup, label_rows, what="dimension title")
        if dim != "time":
            _lookup_one(path, dim, position, lookup, label_rows)
    frames = [_to_codes(path, sheet, lookup, label_rows) for sheet in sheets]
    obs = pd.concat(frames, ignore_index=True)
    obs["source"] = SOURCE
    obs["dataset"] = code
    obs["upstream_updated"] = updated

    notes = []
    if declared and head.dataset_text and "__custom_" in head.dataset_text:
        notes.append(f"Data Browser custom extraction {_DATASET_RE.match(head.dataset_text)['code']}")
    if head.extracted_text:
        notes.append(head.extracted_text.strip())
    if updated:
        notes.append(
            "upstream_updated is the export's 'Last updated' wall-clock time; the file states no time zone"
        )
    labels = pd.DataFrame(
        [(SOURCE, code, dim, c, "en", label) for dim, c, label in sorted(label_rows)], columns=LABEL_COLUMNS
    )
    return ReadResult(
        format=FORMAT,
        source=SOURCE,
        dataset=code,
        observations=finalize(obs, path),
        labels=labels,
        upstream_updated=updated,
        title=title,
        notes=notes,
    )


def _open(path: Path) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            # Data Browser exports carry no default style; openpyxl's warning about it is noise here.
            warnings.filterwarnings("ignore", message="Workbook contains no default style")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise ReaderError(path, "cannot open: no such file") from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReaderError(path, f"not a readable xlsx workbook ({exc})", EXPECTED) from exc


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""  # pandas turns empty cells into NaN once a column is inferred as text
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a year typed as a number must read "2021", not "2021.0"
    return str(v).strip()


def _scan_preamble(rows: list[tuple]) -> tuple[str | None, object, str | None, dict[str, str], int | None]:
    """The lines above the data block: dataset, last update, extraction date, page dimensions, header row."""
    dataset_text = updated_text = extracted_text = None
    page: dict[str, str] = {}
    for i, row in enumerate(rows):
        first = _text(row[0]) if row else ""
        if not first:
            continue
        if first.startswith("Data extracted on"):
            extracted_text = first
        elif first.rstrip(": ") == "Dataset":
            dataset_text = _text(row[1]) if len(row) > 1 else ""
        elif first.rstrip(": ") in ("Last updated", "Last update"):
            updated_text = row[1] if len(row) > 1 else None
        elif _is_header(first):
            return dataset_text, updated_text, extracted_text, page, i
        else:
            # A page (slicer) dimension: its title in column A, the selected position further right.
            value = next((_text(v) for v in row[1:] if _text(v)), "")
            if value:
                page[first] = value
    return dataset_text, updated_text, extracted_text, page, None


def _read_sheet(path: Path, ws) -> _Sheet:
    # The export declares a wrong used range (A1:A1) that read-only mode would trust.
    ws.reset_dimensions()
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    where = f"sheet {ws.title!r}"

    dataset_text, updated_text, extracted_text, page, start = _scan_preamble(rows)
    if start is None:
        raise ReaderError(path, f"{where}: no data block (no 'GEO (Labels)'-style header row)", EXPECTED)

    header = []
    for row in rows[start:]:
        if not (row and _is_header(_text(row[0]))):
            break
        header.append(row)
    col_rows, dim_row = header[:-1], header[-1]
    row_dims = []
    for cell in dim_row:
        if not _is_header(_text(cell)):
            break
        m = _HEADER_RE.match(_text(cell))
        row_dims.append((m["dim"].lower(), m["mode"] or "Codes"))
    width = max(len(r) for r in rows)
    n_row = len(row_dims)

    col_dims, value_cols = _column_header(path, where, col_rows, n_row, width)
    data = rows[start + len(header) :]
    end = next((i for i, r in enumerate(data) if not any(_text(v) for v in r)), len(data))
    data = data[:end]
    if not data:
        raise ReaderError(path, f"{where}: the data block has no rows", EXPECTED)
    grid = np.array([list(r) + [None] * (width - len(r)) for r in data], dtype=object)

    frames = []
    for j, (vcol, fcol) in enumerate(value_cols):
        part = {dim: _ffill(grid[:, k]) for k, (dim, _) in enumerate(row_dims)}
        for dim, _mode, positions in col_dims:
            part[dim] = np.full(len(grid), positions[j], dtype=object)
        part["value"] = grid[:, vcol]
        part["flag"] = grid[:, fcol] if fcol is not None else np.full(len(grid), None, dtype=object)
        part["_cell_row"] = np.arange(len(grid)) + start + len(header) + 1
        part["_cell_col"] = vcol
        frames.append(pd.DataFrame(part))
    cells = pd.concat(frames, ignore_index=True)
    modes = {dim: mode for dim, mode in row_dims} | {dim: mode for dim, mode, _ in col_dims}
    return _Sheet(dataset_text, updated_text, extracted_text, cells, modes, page)


def _is_header(text: str) -> bool:
    """`GEO (Labels)`, `UNIT (Codes)` or a bare `TIME`: a dimension heading, never a data label."""
    m = _HEADER_RE.match(text)
    return bool(m) and (m["mode"] is not None or text in _TIME_HEADERS)


def _column_header(
    path: Path, where: str, col_rows: list[tuple], n_row: int, width: int
) -> tuple[list[tuple[str, str, list[str]]], list[tuple[int, int | None]]]:
    """Column dimensions with their position per value column, and (value, flag) column indexes."""
    if not col_rows:
        # Every dimension sits in rows: one value column, its flag column beside it if present.
        return [], [(n_row, n_row + 1 if width > n_row + 1 else None)]
    inner = col_rows[-1]
    starts = [c for c in range(n_row, width) if c < len(inner) and _text(inner[c])]
    if not starts:
        raise ReaderError(path, f"{where}: the column header row has no positions", EXPECTED)
    value_cols = []
    for k, c in enumerate(starts):
        nxt = starts[k + 1] if k + 1 < len(starts) else width
        # Each value column owns the merged cells up to the next position; the one beside it holds flags.
        value_cols.append((c, c + 1 if c + 1 < nxt else None))
    col_dims = []
    for row in col_rows:
        m = _HEADER_RE.match(_text(row[0]))
        filled = _ffill(np.array([row[c] if c < len(row) else None for c in range(width)], dtype=object))
        col_dims.append((m["dim"].lower(), m["mode"] or "Codes", [_text(filled[c]) for c, _ in value_cols]))
    return col_dims, value_cols


def _ffill(col: np.ndarray) -> np.ndarray:
    s = pd.Series(col, dtype=object).map(_text).replace("", None).ffill()
    return s.fillna("").to_numpy(dtype=object)


def _to_codes(path: Path, sheet: _Sheet, lookup: dict, label_rows: set) -> pd.DataFrame:
    """Map every label to its code, parse values and flags, and build the tidy rows of one sheet."""
    cells = sheet.cells
    dims: dict[str, np.ndarray] = {}
    for col in [c for c in cells.columns if c not in _NON_DIM]:
        texts = cells[col].map(_text).to_numpy(dtype=object)
        if col in ("time", "time_period"):
            dims["time"] = texts
        elif sheet.modes.get(col) == "Codes":
            dims[col] = texts
        else:
            dims[col] = _map_labels(path, col, texts, lookup, label_rows)
    for dim_title, position in sheet.page.items():
        dim = _lookup_one(path, DIMENSION, dim_title, lookup, label_rows, what="dimension title")
        dims[dim] = np.full(len(cells), _lookup_one(path, dim, position, lookup, label_rows), dtype=object)
    for needed in ("geo", "time"):
        if needed not in dims:
            raise ReaderError(path, f"no {needed} dimension among {sorted(dims)}", EXPECTED)

    values = _values(path, cells)
    flags = cells["flag"].map(_text).to_numpy(dtype=object)
    keep = ~np.isnan(values) | (flags != "")
    other = sorted(d for d in dims if d not in ("geo", "time"))
    if other:
        # One key string per distinct combination of positions, not per cell.
        combo = pd.MultiIndex.from_frame(pd.DataFrame({d: dims[d] for d in other}))
        codes, uniq = pd.factorize(combo)
        keys = np.array([series_key(dict(zip(other, u, strict=True))) for u in uniq], dtype=object)
        sk = keys[codes]
    else:
        sk = np.full(len(cells), "", dtype=object)
    flag_codes, flag_uniq = pd.factorize(flags)
    pairs = [split_flags(f) for f in flag_uniq]
    out = pd.DataFrame(
        {
            "series_key": sk,
            "geo": dims["geo"],
            "period": dims["time"],
            "value": values,
            "obs_flag": np.array([p[0] for p in pairs], dtype=object)[flag_codes],
            "conf_flag": np.array([p[1] for p in pairs], dtype=object)[flag_codes],
        }
    )
    return out[keep].reset_index(drop=True)


def _values(path: Path, cells: pd.DataFrame) -> np.ndarray:
    raw = cells["value"]
    out = pd.to_numeric(raw.map(lambda v: v.strip() if isinstance(v, str) else v), errors="coerce")
    text = raw.map(_text)
    bad = out.isna() & ~text.isin(["", _MISSING])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        cell = f"{get_column_letter(int(cells['_cell_col'].iat[i]) + 1)}{cells['_cell_row'].iat[i]}"
        raise ReaderError(path, f"cell {cell} holds {raw.iat[i]!r}, not a number or ':'", EXPECTED)
    return out.to_numpy(dtype=float, na_value=np.nan)


def _map_labels(path: Path, dim: str, texts: np.ndarray, lookup: dict, label_rows: set) -> np.ndarray:
    inverse, uniq = pd.factorize(texts)
    codes = np.array([_lookup_one(path, dim, t, lookup, label_rows) for t in uniq], dtype=object)
    return codes[inverse]


def _lookup_one(path: Path, dim: str, label: str, lookup: dict, label_rows: set, what: str = "label") -> str:
    found = lookup.get((dim, _norm(label)))
    if not found:
        raise ReaderError(
            path,
            f"unmapped {what} in dimension {dim!r}: {label!r}",
            f"a code for it in {', '.join(p.name for p in LABEL_FILES)}",
        )
    if len(found) > 1:
        raise ReaderError(
            path, f"{what} {label!r} of dimension {dim!r} maps to several codes {sorted(found)}"
        )
    code = next(iter(found))
    if dim != DIMENSION:
        label_rows.add((dim, code, label))
    return code


def _norm(label: str) -> str:
    return " ".join(label.split()).casefold()


@lru_cache(maxsize=1)
def _label_lookup_cached(stamp: tuple) -> dict[tuple[str, str], frozenset[str]]:
    table: dict[tuple[str, str], set[str]] = {}
    for file in LABEL_FILES:
        if not file.is_file():
            continue
        with file.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                dim, code, label = (rec.get(k) or "" for k in ("dimension", "code", "label"))
                if dim and code and label:
                    table.setdefault((dim.strip(), _norm(label)), set()).add(code.strip())
    return {k: frozenset(v) for k, v in table.items()}


def _label_lookup() -> dict[tuple[str, str], frozenset[str]]:
    # Re-read when a code list file changes (another engineer may extend it between reads).
    stamp = tuple((str(f), f.stat().st_mtime_ns) if f.is_file() else (str(f), None) for f in LABEL_FILES)
    return _label_lookup_cached(stamp)


def _dataset_text(text: str | None) -> tuple[str | None, str | None]:
    """`GERD by sector of performance [rd_e_gerdtot__custom_9155625]` → (title, `rd_e_gerdtot`)."""
    m = _DATASET_RE.match(text or "")
    if not m:
        return (text or None), None
    return m["title"] or None, m["code"].split("__custom_", 1)[0]


def _structure(wb) -> list[tuple[str, str]]:
    """(dimension title, position label) pairs listed on the `Structure` sheet, when there is one."""
    if "Structure" not in wb.sheetnames:
        return []
    ws = wb["Structure"]
    ws.reset_dimensions()
    pairs = []
    for row in ws.iter_rows(values_only=True):
        title, position = (_text(row[1]), _text(row[2])) if len(row) >= 3 else ("", "")
        if title and position and (title, position) not in {("Dimension", "Position"), ("Label", "Label")}:
            pairs.append((title, position))
    return pairs


def _summary_updated(wb) -> object:
    if "Summary" not in wb.sheetnames:
        return None
    ws = wb["Summary"]
    ws.reset_dimensions()
    for row in ws.iter_rows(values_only=True):
        if row and _text(row[0]).startswith("Last update of data"):
            return next((v for v in row[1:] if _text(v)), None)
    return None


def _iso(path: Path, value: object) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    raise ReaderError(path, f"last update {text!r} is not a dd/mm/yyyy hh:mm time", "dd/mm/yyyy hh:mm")
