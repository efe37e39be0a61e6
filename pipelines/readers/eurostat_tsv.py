"""Eurostat TSV (current, legacy bulk, legacy table; plain or gzipped) → ReadResult of tidy observations."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.readers.archives import gunzip_if_needed
from pipelines.readers.base import ReaderError, ReadResult, dataset_from_filename, finalize, split_flags

FORMAT = "eurostat-tsv"
_TIME_DIMS = {"TIME_PERIOD", "time"}
# Eurostat writes `value flags` (`27.1 p`, `: c`); since 2025 the confidentiality status follows an `@`
# (`: @C`). A number, or `:` for "not available", then the flag letters.
_CELL_RE = re.compile(r"^(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|:)\s*(?P<flags>[A-Za-z@|]*)$")
_ANNUAL_RE = re.compile(r"^\d{4}$")
_EXPECTED_HEADER = r"`dim1,...,geo\TIME_PERIOD<TAB>period<TAB>...` or the legacy `...,geo\time`"


@dataclass(frozen=True)
class _Header:
    dims: list[str]  # dimension codes in key order, e.g. ["freq", "unit", "hhtyp", "geo"]
    periods: list[str]  # time column labels without Eurostat's padding spaces


def read(path: Path, *, dataset: str | None = None) -> ReadResult:
    """Read one Eurostat TSV file; raise ReaderError naming the file when it is not one."""
    path = Path(path)
    raw = _load_bytes(path)
    header = _parse_header(path, raw)
    _check_cell_counts(path, raw, 1 + len(header.periods))
    wide = _read_wide(path, raw, header)
    keys, notes = _series_keys(path, wide, header)
    obs = _observations(path, wide, keys, header.periods)
    obs["source"] = "eurostat"
    obs["dataset"] = (dataset or dataset_from_filename(path)).lower()
    obs["upstream_updated"] = None
    out = finalize(obs, path)
    return ReadResult(
        format=FORMAT,
        source="eurostat",
        dataset=out["dataset"].iat[0],
        observations=out,
        notes=notes,
    )


def _load_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it starts with the gzip magic (names lie, content does not)."""
    data = gunzip_if_needed(path.read_bytes(), path)
    if not data.strip():
        raise ReaderError(path, "empty file", expected=_EXPECTED_HEADER)
    return data


def _parse_header(path: Path, raw: bytes) -> _Header:
    first_line = raw.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        cells = first_line.decode("utf-8-sig").split("\t")
    except UnicodeDecodeError as exc:
        raise ReaderError(path, "header is not UTF-8 text", expected=_EXPECTED_HEADER) from exc
    key_cell = cells[0].strip()
    dims_part, sep, time_dim = key_cell.rpartition("\\")
    if not sep or time_dim.strip() not in _TIME_DIMS:
        raise ReaderError(
            path, f"header starts {key_cell[:60]!r}, no \\TIME_PERIOD or \\time", _EXPECTED_HEADER
        )
    dims = [d.strip() for d in dims_part.split(",")]
    periods = [c.strip() for c in cells[1:]]
    if "geo" not in dims or len(set(dims)) != len(dims) or "" in dims:
        raise ReaderError(path, f"header dimensions {dims} lack geo or repeat one", _EXPECTED_HEADER)
    if not periods or "" in periods or len(set(periods)) != len(periods):
        raise ReaderError(
            path, f"header time columns {periods[:5]}... are empty or repeated", _EXPECTED_HEADER
        )
    return _Header(dims=dims, periods=periods)


def _check_cell_counts(path: Path, raw: bytes, expected: int) -> None:
    """Every data line must have as many tab-separated cells as the header, or values shift columns.

    pandas pads short rows with "" and can turn an over-long first row into an index, so the count is
    checked on the bytes first (vectorised: tabs between consecutive newlines).
    """
    buf = np.frombuffer(raw, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 0x0A)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [buf.size]))
    tab_pos = np.flatnonzero(buf == 0x09)
    tabs = np.searchsorted(tab_pos, ends) - np.searchsorted(tab_pos, starts)
    has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 0x0D)
    blank = (ends - starts - has_cr) == 0
    last_content = int(np.flatnonzero(~blank)[-1])
    inner_blank = np.flatnonzero(blank[: last_content + 1])
    if inner_blank.size:
        raise ReaderError(path, f"line {int(inner_blank[0]) + 1} is blank inside the table")
    bad = np.flatnonzero(~blank & (tabs != expected - 1))
    if bad.size:
        line = int(bad[0])
        raise ReaderError(path, f"line {line + 1} has {int(tabs[line]) + 1} cells, the header has {expected}")


def _read_wide(path: Path, raw: bytes, header: _Header) -> pd.DataFrame:
    try:
        wide = pd.read_csv(
            io.BytesIO(raw),
            sep="\t",
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
            encoding="utf-8-sig",
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReaderError(path, f"not a readable TSV table ({type(exc).__name__}: {exc})") from exc
    wide.columns = ["_key", *header.periods]
    return wide


def _series_keys(path: Path, wide: pd.DataFrame, header: _Header) -> tuple[pa.Table, list[str]]:
    """Split the `A,PC_HH,A1,BE` key column; return per-row series_key and geo (Arrow, vectorised)."""
    raw_keys = _arrow(wide["_key"])
    split = pc.split_pattern(raw_keys, ",")
    counts = pc.list_value_length(split).to_numpy()
    if (counts != len(header.dims)).any():
        row = int(np.flatnonzero(counts != len(header.dims))[0])
        raise ReaderError(path, f"line {row + 2} key {raw_keys[row].as_py()!r} does not match {header.dims}")
    flat = pc.utf8_trim_whitespace(pc.list_flatten(split))
    step = len(header.dims)
    blank = np.flatnonzero(pc.equal(flat, "").to_numpy(zero_copy_only=False))
    if blank.size:
        row = int(blank[0]) // step
        raise ReaderError(path, f"line {row + 2} key {raw_keys[row].as_py()!r} has an empty code")
    cols = {d: flat.take(pa.array(np.arange(i, len(flat), step))) for i, d in enumerate(header.dims)}
    notes: list[str] = []
    if "freq" not in cols:
        # The legacy bulk files predate the freq dimension and were annual-only; adding freq=A keeps
        # their keys identical to the current files. Refuse rather than guess for other periods.
        if not all(_ANNUAL_RE.match(p) for p in header.periods):
            raise ReaderError(path, f"no freq dimension and non-annual periods {header.periods[:3]}")
        cols["freq"] = pa.array(["A"] * len(wide), type=pa.large_string())
        notes.append("legacy header without freq: all periods are years, so freq=A was added to keys")
    pairs = [
        pc.binary_join_element_wise(_lit(f"{d}="), cols[d], _lit("")) for d in sorted(cols) if d != "geo"
    ]
    key = pc.binary_join_element_wise(*pairs, _lit("|"))
    return pa.table({"series_key": key, "geo": cols["geo"]}), notes


def _observations(path: Path, wide: pd.DataFrame, keys: pa.Table, periods: list[str]) -> pd.DataFrame:
    """Wide cells → long rows; drop plain `:`; split `27.1 p` into value and flags."""
    n_rows = len(wide)
    # Column-major: cell i belongs to row i % n_rows and period i // n_rows.
    chunks = [chunk for p in periods for chunk in _arrow(wide[p]).chunks]
    cells = pc.utf8_trim_whitespace(pa.chunked_array(chunks).combine_chunks())
    empty = np.flatnonzero(pc.equal(cells, "").to_numpy(zero_copy_only=False))
    if empty.size:
        i = int(empty[0])
        raise ReaderError(path, f"line {i % n_rows + 2} has an empty cell for period {periods[i // n_rows]}")
    keep = pc.not_equal(cells, ":")
    kept_pos = np.flatnonzero(keep.to_numpy(zero_copy_only=False))
    parts = pc.extract_regex(cells.filter(keep), _CELL_RE.pattern)
    unparsed = np.flatnonzero(parts.is_null().to_numpy(zero_copy_only=False))
    if unparsed.size:
        i = int(kept_pos[unparsed[0]])
        raise ReaderError(
            path,
            f"line {i % n_rows + 2}, period {periods[i // n_rows]}: cell {cells[i].as_py()!r}"
            " is not `number [flags]` or `: flags`",
        )
    num = parts.field("num")
    value = pc.if_else(pc.equal(num, ":"), pa.scalar(None, num.type), num).cast(pa.float64())
    rows = pa.array(kept_pos % n_rows)
    obs = pd.DataFrame(
        {
            "series_key": _to_str(keys["series_key"].take(rows)),
            "geo": _to_str(keys["geo"].take(rows)),
            "period": _to_str(pa.array(periods).take(pa.array(kept_pos // n_rows))),
            "value": value.to_numpy(zero_copy_only=False),
        }
    )
    obs["obs_flag"], obs["conf_flag"] = _flag_columns(parts.field("flags"))
    return obs


def _arrow(column: pd.Series) -> pa.ChunkedArray:
    arr = pa.array(column.array)  # zero-copy: pandas keeps str columns in Arrow
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())  # pandas' str columns are Arrow large_string


def _to_str(arr: pa.Array | pa.ChunkedArray) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _flag_columns(flags: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Map each distinct flag text once (there are a handful), then broadcast."""
    encoded = pc.dictionary_encode(flags)
    split = [split_flags(f.replace("@", "|")) for f in encoded.dictionary.to_pylist()]
    obs_flags = np.array([s[0] for s in split], dtype=object)
    conf_flags = np.array([s[1] for s in split], dtype=object)
    codes = encoded.indices.to_numpy()
    return obs_flags[codes], conf_flags[codes]
