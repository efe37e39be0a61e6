"""Eurostat SDMX-CSV 1.0/2.0 (codes, codes and labels, labels only) → ReadResult of tidy observations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from pipelines.readers.archives import compression_of
from pipelines.readers.base import (
    LABEL_COLUMNS,
    ReaderError,
    ReadResult,
    dataset_from_filename,
    finalize,
    split_flags,
)

CODELIST = Path(__file__).resolve().parents[1] / "codelists" / "eurostat_labels.csv"
REQUIRED = ("geo", "TIME_PERIOD", "OBS_VALUE")
_EXPECTED = (
    "Eurostat SDMX-CSV: STRUCTURE,... (2.0) or DATAFLOW,LAST UPDATE,... (1.0) with geo,TIME_PERIOD,OBS_VALUE"
)
# Columns that describe the message or the observation, never a dimension of the series key.
_MESSAGE_COLS = {"STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "DATAFLOW", "LAST UPDATE"}
# Eurostat writes dimension ids in lower case (freq, geo, indic_is) and SDMX concepts in upper case
# (TIME_PERIOD, OBS_VALUE, OBS_FLAG); anything else in the header ("Time frequency") is a label column.
_DIM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CONCEPT_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_GEO_CODE_RE = r"[A-Z][A-Z0-9_]*"
_FLOW_RE = re.compile(r"^(?:[A-Za-z0-9_.]+:)?([A-Za-z][A-Za-z0-9_]*)")
_BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass(frozen=True)
class _Layout:
    variant: str  # "2.0" | "1.0"
    dims: list[str]  # dimension columns, geo included
    label_of: dict[str, str]  # component column → the label column that follows it (2.0 "both")


def read(path: Path, *, dataset: str | None = None) -> ReadResult:
    """Read one Eurostat SDMX-CSV file; raise ReaderError naming the file when it is not one."""
    path = Path(path)
    layout = _layout(path, _header(path))
    df = _read_table(path)
    labels, notes = _code_labels(path, df, layout)
    dataset = (dataset or _dataset_code(path, df)).lower()
    updated = _upstream_updated(path, df)
    obs = _observations(path, df, layout)
    obs["source"] = "eurostat"
    obs["dataset"] = dataset
    obs["upstream_updated"] = updated
    if not labels.empty:
        labels.insert(0, "source", "eurostat")
        labels.insert(1, "dataset", dataset)
        labels = labels[LABEL_COLUMNS].reset_index(drop=True)
    return ReadResult(
        format=f"sdmx-csv-{layout.variant}",
        source="eurostat",
        dataset=dataset,
        observations=finalize(obs, path),
        labels=labels if not labels.empty else pd.DataFrame(columns=LABEL_COLUMNS),
        upstream_updated=updated,
        title=_title(df),
        notes=notes,
    )


def _header(path: Path) -> list[str]:
    try:
        return [
            str(c)
            for c in pd.read_csv(
                path, nrows=0, encoding="utf-8-sig", compression=compression_of(path)
            ).columns
        ]
    except pd.errors.EmptyDataError as exc:
        raise ReaderError(path, "empty file, no header", _EXPECTED) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReaderError(path, f"header is not CSV text ({type(exc).__name__})", _EXPECTED) from exc


def _layout(path: Path, header: list[str]) -> _Layout:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        hint = " (an HTML page, not data)" if header[0].lstrip().startswith("<") else ""
        raise ReaderError(
            path, f"missing required column(s) {missing}; header starts {header[:4]}{hint}", _EXPECTED
        )
    variants = {"STRUCTURE": "2.0", "DATAFLOW": "1.0"}
    if header[0] not in variants:
        raise ReaderError(path, f"unexpected header, first column {header[0]!r}", _EXPECTED)
    components = [c for c in header if c not in _MESSAGE_COLS and (_DIM_RE.match(c) or _CONCEPT_RE.match(c))]
    label_of = {}
    for col, nxt in zip(header, header[1:], strict=False):
        if col in components and nxt not in components and nxt not in _MESSAGE_COLS:
            label_of[col] = nxt
    dims = [c for c in components if _DIM_RE.match(c)]
    return _Layout(variant=variants[header[0]], dims=dims, label_of=label_of)


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", compression=compression_of(path)
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReaderError(path, f"not a readable CSV table ({type(exc).__name__}: {exc})", _EXPECTED) from exc


def _code_labels(path: Path, df: pd.DataFrame, layout: _Layout) -> tuple[pd.DataFrame, list[str]]:
    """Code→label pairs the payload carries; turns a labels-only payload into codes in place."""
    geo = df["geo"].str.strip()
    if ((geo != "") & ~geo.str.fullmatch(_GEO_CODE_RE)).any():
        pairs = _map_labels_to_codes(path, df, layout.dims)
        note = f"dimension values were labels, mapped to codes with {CODELIST.parent.name}/{CODELIST.name}"
        return pairs, [note]
    frames = [
        pd.DataFrame({"dimension": dim, "code": df[dim], "label": df[layout.label_of[dim]]})
        for dim in layout.dims
        if dim in layout.label_of
    ]
    if not frames:
        return pd.DataFrame(columns=["dimension", "code", "lang", "label"]), []
    pairs = pd.concat(frames, ignore_index=True).drop_duplicates()
    pairs = pairs[pairs["label"] != ""]
    pairs.insert(2, "lang", "en")
    return pairs, []


def _map_labels_to_codes(path: Path, df: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Replace label values by codes from the committed code list; never guess one."""
    codelist = _codelist()
    frames = []
    for dim in dims:
        mapping = codelist.get(dim, {})
        codes = df[dim].map(mapping)
        unmapped = sorted(df.loc[codes.isna(), dim].unique())
        if unmapped:
            raise ReaderError(
                path,
                f"dimension {dim!r}: {len(unmapped)} label(s) not in the code list, e.g. {unmapped[:5]}",
                f"every label listed in {CODELIST.name}",
            )
        ambiguous = sorted(set(codes[codes.str.contains(";", regex=False)]))
        if ambiguous:
            raise ReaderError(path, f"dimension {dim!r}: label(s) map to several codes: {ambiguous[:5]}")
        frames.append(pd.DataFrame({"dimension": dim, "code": codes, "label": df[dim]}).drop_duplicates())
        df[dim] = codes
    pairs = pd.concat(frames, ignore_index=True)
    pairs.insert(2, "lang", "en")
    return pairs


@lru_cache(maxsize=1)
def _codelist() -> dict[str, dict[str, str]]:
    """dimension → {label: code}; a label with two codes maps to "A;B" so the caller can refuse it."""
    table = pd.read_csv(CODELIST, dtype=str, keep_default_na=False)
    grouped = table.groupby(["dimension", "label"])["code"].agg(lambda c: ";".join(sorted(set(c))))
    out: dict[str, dict[str, str]] = {}
    for (dim, label), code in grouped.items():
        out.setdefault(dim, {})[label] = code
    return out


def _dataset_code(path: Path, df: pd.DataFrame) -> str:
    col = "STRUCTURE_ID" if "STRUCTURE_ID" in df.columns else "DATAFLOW"
    if col not in df.columns:
        return dataset_from_filename(path)
    flows = df[col].unique()
    if len(flows) != 1:
        raise ReaderError(path, f"{len(flows)} dataflows in one file: {list(flows[:3])}")
    match = _FLOW_RE.match(flows[0])
    return match.group(1) if match else dataset_from_filename(path)


def _title(df: pd.DataFrame) -> str | None:
    if "STRUCTURE_NAME" not in df.columns or df.empty:
        return None
    return df["STRUCTURE_NAME"].iat[0] or None


def _upstream_updated(path: Path, df: pd.DataFrame) -> str | None:
    """SDMX-CSV 1.0 `LAST UPDATE` (dd/mm/yy HH:MM:SS, Brussels wall time) → ISO 8601 with offset."""
    if "LAST UPDATE" not in df.columns:
        return None
    stamps = [s for s in df["LAST UPDATE"].unique() if s.strip()]
    if not stamps:
        return None
    try:
        parsed = [datetime.strptime(s.strip(), "%d/%m/%y %H:%M:%S") for s in stamps]
    except ValueError as exc:
        raise ReaderError(path, f"LAST UPDATE {stamps[0]!r} is not dd/mm/yy HH:MM:SS") from exc
    # zoneinfo picks the offset in force on that date (CET +01:00 / CEST +02:00).
    return max(parsed).replace(tzinfo=_BRUSSELS).isoformat()


def _observations(path: Path, df: pd.DataFrame, layout: _Layout) -> pd.DataFrame:
    for col in ("geo", "TIME_PERIOD"):
        empty = np.flatnonzero((df[col].str.strip() == "").to_numpy())
        if empty.size:
            raise ReaderError(path, f"line {int(empty[0]) + 2}: empty {col}")
    raw_value = df["OBS_VALUE"].str.strip()
    value = pd.to_numeric(raw_value.mask(raw_value == ""), errors="coerce")
    bad = value.isna() & (raw_value != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ReaderError(path, f"line {row + 2}: OBS_VALUE {raw_value.iat[row]!r} is not a number")
    obs_flag, conf_flag = _flags(df)
    keep = (value.notna() | pd.notna(obs_flag) | pd.notna(conf_flag)).to_numpy()
    out = pd.DataFrame(
        {
            "series_key": _series_key(df, [d for d in layout.dims if d != "geo"]),
            "geo": df["geo"].str.strip(),
            "period": df["TIME_PERIOD"].str.strip(),
            "value": value.astype("float64"),
            "obs_flag": obs_flag,
            "conf_flag": conf_flag,
        }
    )
    return out[keep]


def _flags(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """split_flags once per distinct (OBS_FLAG, CONF_STATUS) pair, then broadcast."""
    blank = pd.Series("", index=df.index, dtype="str")
    pairs = pd.DataFrame({"obs": df.get("OBS_FLAG", blank), "conf": df.get("CONF_STATUS", blank)})
    codes, uniq = pd.MultiIndex.from_frame(pairs).factorize()
    split = [split_flags(o, c) for o, c in uniq]
    obs = np.array([s[0] for s in split], dtype=object)
    conf = np.array([s[1] for s in split], dtype=object)
    return obs[codes], conf[codes]


def _series_key(df: pd.DataFrame, dims: list[str]) -> pd.Series:
    key = pd.Series("", index=df.index, dtype="str")
    for i, dim in enumerate(sorted(dims)):
        key = key + ("|" if i else "") + f"{dim}=" + df[dim].str.strip()
    return key
