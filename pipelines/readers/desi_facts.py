"""The Commission's Digital Decade (DESI) facts → ReadResult: one value per KPI, country and data year.

Two shapes of the same records are read: the platform's CSV export (`/api/v1/chart-groups/{group}/facts/`,
`/api/v1/facts/?…&format=csv`, header `period,country,indicator,breakdown,unit,value,flags,reference_period,
remarks`) and its JSON records (`/api/v1/facts/?…&format=json`, or the platform's own `core.fact` records
whose fields name codes as one-element lists). `period` is the DESI edition (`desi_2026`), `reference_period`
the data year: the data year becomes `period`, the edition its own column, never a year. A record without a
data year (editions before 2023 often have none) keeps its edition code as `period`, so it can never be read
as a year by mistake. The EU 2030 target rows (`breakdown` `dd_target_2030`, `period` `2030`) are kept as a
series of their own. Where two editions give the same KPI, country and data year, the later edition is kept
and the earlier one is counted in the notes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd

from pipelines.readers.archives import gunzip_if_needed
from pipelines.readers.base import ReaderError, ReadResult, finalize

FORMAT = "desi-facts"
SOURCE = "desi"
DATASET = "desi_facts"
TITLE = "Digital Decade / DESI indicators (European Commission, DG CONNECT)"
CSV_HEADER = ("period", "country", "indicator", "breakdown", "unit", "value", "flags", "reference_period")
EXPECTED = "DESI facts: CSV " + ",".join(CSV_HEADER) + ",remarks, or JSON records with the same fields"
_EDITION = re.compile(r"^desi_(\d{4})$")
_YEAR = re.compile(r"^\d{4}(-[QSM]?\d{1,2})?$")
_FLAGS = re.compile(r"^[a-z]*$")


def looks_like_facts(head: str) -> bool:
    """True for the first bytes of a facts CSV or JSON (used by the format sniffer)."""
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0].strip().lower()
    if first.startswith(",".join(CSV_HEADER[:6])):
        return True
    return head.lstrip().startswith("[") and ('"core.fact"' in head[:4096] or '"reference_period"' in head)


def read(path: str | Path, *, dataset: str | None = None) -> ReadResult:
    """Read one facts file (CSV or JSON); raise ReaderError naming the file and the record at fault."""
    path = Path(path)
    try:
        text = gunzip_if_needed(path.read_bytes(), path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReaderError(path, f"not UTF-8 text ({exc})", EXPECTED) from exc
    records = _json_records(path, text) if text.lstrip().startswith("[") else _csv_records(path, text)
    if not records:
        raise ReaderError(path, "no observations found", EXPECTED)
    table = pd.DataFrame([_row(path, n, r) for n, r in enumerate(records, start=1)])
    return _result(path, table, (dataset or DATASET).lower())


def _json_records(path: Path, text: str) -> list[dict]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReaderError(path, f"not valid JSON, truncated? ({exc})", EXPECTED) from exc
    if not isinstance(doc, list):
        raise ReaderError(path, f"the JSON top level is a {type(doc).__name__}, not a list", EXPECTED)
    out = []
    for n, rec in enumerate(doc, start=1):
        if not isinstance(rec, dict):
            raise ReaderError(path, f"record {n} is a {type(rec).__name__}, not an object", EXPECTED)
        if "fields" in rec:  # the platform's own records: {"model": "core.fact", "fields": {...}}
            if rec.get("model", "core.fact") != "core.fact":
                raise ReaderError(path, f"record {n} is a {rec.get('model')!r}, not a core.fact", EXPECTED)
            rec = rec["fields"]
        out.append({k: _one(v) for k, v in rec.items()})
    return out


def _one(v):
    """Natural keys come as one-element lists (["desi_ai"]); the API gives plain codes."""
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def _csv_records(path: Path, text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_HEADER if c not in header]
    if missing:
        raise ReaderError(path, f"missing column(s) {missing}; header starts {header[:5]}", EXPECTED)
    return [{k.strip(): v for k, v in row.items() if k is not None} for row in reader]


def _row(path: Path, n: int, r: dict) -> dict:
    def need(field: str) -> str:
        v = r.get(field)
        if v is None or str(v).strip() == "":
            raise ReaderError(path, f"record {n}: empty {field}", EXPECTED)
        return str(v).strip()

    edition_or_year = need("period")
    ref = str(r.get("reference_period") or "").strip()
    edition = edition_or_year if _EDITION.match(edition_or_year) else None
    if edition is None and not _YEAR.match(edition_or_year):
        raise ReaderError(path, f"record {n}: period {edition_or_year!r} is neither desi_YYYY nor a year")
    if ref and not _YEAR.match(ref):
        raise ReaderError(path, f"record {n}: reference_period {ref!r} is not a year", "YYYY")
    value = r.get("value")
    try:
        number = None if value in (None, "") else float(value)
    except (TypeError, ValueError) as exc:
        raise ReaderError(path, f"record {n}: value {value!r} is not a number") from exc
    flags = str(r.get("flags") or "").strip()
    if not _FLAGS.match(flags):
        raise ReaderError(path, f"record {n}: flags {flags!r} are not flag letters")
    if number is None and not flags:
        raise ReaderError(path, f"record {n}: neither a value nor a flag saying why there is none")
    return {
        "series_key": f"breakdown={need('breakdown')}|indicator={need('indicator')}|unit={need('unit')}",
        "geo": need("country"),
        "period": ref or edition_or_year,  # the data year; the edition code only when none is given
        "edition": edition,
        "value": number,
        "obs_flag": flags or None,
        "updated": str(r.get("updated_at") or r.get("created_at") or "") or None,
        "undated": edition is not None and not ref,
    }


def _result(path: Path, table: pd.DataFrame, code: str) -> ReadResult:
    key = ["series_key", "geo", "period"]
    # Later editions first (desi_2026 > desi_2023; target rows have none), so the first of a key is kept.
    table = table.sort_values("edition", ascending=False, na_position="last", kind="stable")
    dup = table.duplicated(key, keep="first")
    kept = table[~dup]
    updated = kept["updated"].dropna().max() if kept["updated"].notna().any() else None
    obs = kept.assign(source=SOURCE, dataset=code, conf_flag=None, upstream_updated=updated)
    notes = []
    if dup.any():
        notes.append(
            f"{int(dup.sum())} value(s) of a data year also published in a later DESI edition were set aside "
            "(the later edition is kept)"
        )
    undated = int(kept["undated"].sum())
    if undated:
        notes.append(
            f"{undated} value(s) carry no data year (reference_period): their period is the DESI edition "
            "code, never a year"
        )
    return ReadResult(
        format=FORMAT,
        source=SOURCE,
        dataset=code,
        observations=finalize(obs, path),
        upstream_updated=updated,
        title=TITLE,
        notes=notes,
        partial=True,
    )
