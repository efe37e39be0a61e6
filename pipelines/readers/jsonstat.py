"""Eurostat JSON-stat 2.0 dataset (statistics API) → ReadResult of tidy observations and labels."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines.readers.archives import gunzip_if_needed
from pipelines.readers.base import LABEL_COLUMNS, ReaderError, ReadResult, finalize, split_flags

FORMAT = "jsonstat-2.0"
SOURCE = "eurostat"
EXPECTED = "a JSON-stat 2.0 dataset with id, size and dimension"
# Eurostat names these dimensions so; JSON-stat `role` overrides them when present.
_TIME_NAMES = ("time", "TIME_PERIOD")
_GEO_NAMES = ("geo",)
_DENSE_LIMIT = 20_000_000  # cells; above this the union of positions is sorted instead of masked


def read(path: str | Path, *, dataset: str | None = None) -> ReadResult:
    """Read one JSON-stat dataset file; `dataset` overrides the code the payload declares."""
    path = Path(path)
    doc = _load(path)
    ids, sizes, codes = _structure(path, doc)
    time_dim, geo_dim = _roles(path, doc, ids)

    pos, values, raw_status = _cells(path, doc, int(np.prod(sizes, dtype=np.int64)))
    # A cell without a value is kept only when its status says why (e.g. confidential).
    keep = ~np.isnan(values) | (raw_status != "")
    pos, values, raw_status = pos[keep], values[keep], raw_status[keep]

    coords = np.unravel_index(pos, sizes)
    by_dim = dict(zip(ids, coords, strict=True))
    declared = _declared_code(doc)
    code = (dataset or declared or "").lower()
    if not code:
        raise ReaderError(path, "no dataset code in extension.id and none given", EXPECTED)
    obs_flag, conf_flag = _flags(raw_status)
    updated = _updated(path, doc)
    obs = pd.DataFrame(
        {
            "source": SOURCE,
            "dataset": code,
            "series_key": _series_keys(ids, sizes, codes, by_dim, exclude={time_dim, geo_dim}),
            "geo": pd.Categorical.from_codes(by_dim[geo_dim], categories=codes[geo_dim]),
            "period": pd.Categorical.from_codes(by_dim[time_dim], categories=codes[time_dim]),
            "value": values,
            "obs_flag": obs_flag,
            "conf_flag": conf_flag,
            "upstream_updated": updated,
        }
    )
    notes = []
    if dataset and declared and dataset.lower() != declared.lower():
        notes.append(f"dataset code {dataset!r} given by the caller; the payload says {declared!r}")
    return ReadResult(
        format=FORMAT,
        source=SOURCE,
        dataset=code,
        observations=finalize(obs, path),
        labels=_labels(doc, ids, code),
        upstream_updated=updated,
        title=doc.get("label") if isinstance(doc.get("label"), str) else None,
        notes=notes,
    )


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = gunzip_if_needed(path.read_bytes(), path)
    except OSError as exc:
        raise ReaderError(path, f"cannot open: {exc.strerror or exc}") from exc
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReaderError(path, f"not valid JSON, truncated? ({exc})", EXPECTED) from exc
    if not isinstance(doc, dict):
        raise ReaderError(path, f"the JSON top level is a {type(doc).__name__}, not an object", EXPECTED)
    if doc.get("class") in ("collection", "bundle") or ("id" not in doc and "link" in doc):
        raise ReaderError(path, f"a JSON-stat {doc.get('class', 'bundle')}, not a single dataset", EXPECTED)
    missing = [k for k in ("id", "size", "dimension") if k not in doc]
    if missing:
        raise ReaderError(path, f"JSON without {', '.join(missing)}: not a JSON-stat dataset", EXPECTED)
    return doc


def _structure(path: Path, doc: dict[str, Any]) -> tuple[list[str], list[int], dict[str, np.ndarray]]:
    """Dimension ids, sizes and, per dimension, its category codes in index order."""
    ids, sizes, dims = doc["id"], doc["size"], doc["dimension"]
    if not (isinstance(ids, list) and isinstance(sizes, list) and isinstance(dims, dict)):
        raise ReaderError(path, "id and size must be lists and dimension an object", EXPECTED)
    if len(ids) != len(sizes) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise ReaderError(path, f"id has {len(ids)} entries but size is {sizes}", EXPECTED)
    codes = {}
    for dim, size in zip(ids, sizes, strict=True):
        category = (dims.get(dim) or {}).get("category")
        if not isinstance(category, dict):
            raise ReaderError(path, f"dimension {dim!r} has no category", EXPECTED)
        codes[dim] = _category_codes(path, dim, category, size)
    return ids, sizes, codes


def _category_codes(path: Path, dim: str, category: dict[str, Any], size: int) -> np.ndarray:
    index = category.get("index")
    if index is None:
        # JSON-stat lets a single-category dimension omit `index`; its one label key is the code.
        index = list(category.get("label") or {})
    if isinstance(index, dict):
        out = np.empty(len(index), dtype=object)
        try:
            out[list(index.values())] = list(index.keys())
        except (IndexError, TypeError) as exc:
            raise ReaderError(path, f"dimension {dim!r} has an index position out of range") from exc
        if len(set(index.values())) != len(index):
            raise ReaderError(path, f"dimension {dim!r} repeats an index position")
    elif isinstance(index, list):
        out = np.array(index, dtype=object)
        if len(set(index)) != len(index):
            raise ReaderError(path, f"dimension {dim!r} lists a category code twice")
    else:
        raise ReaderError(path, f"dimension {dim!r} category.index is neither an object nor a list", EXPECTED)
    if len(out) != size:
        raise ReaderError(path, f"dimension {dim!r} has {len(out)} categories but size says {size}")
    return out


def _roles(path: Path, doc: dict[str, Any], ids: list[str]) -> tuple[str, str]:
    role = doc.get("role") or {}
    time = next(iter(role.get("time") or []), None) or next((d for d in ids if d in _TIME_NAMES), None)
    geo = next(iter(role.get("geo") or []), None) or next((d for d in ids if d in _GEO_NAMES), None)
    if time not in ids or geo not in ids:
        raise ReaderError(path, f"no time and geo dimension among {ids}", "dimensions named time and geo")
    return time, geo


def _cells(path: Path, doc: dict[str, Any], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat positions of every cell with a value or a status, their values (NaN if none) and status text."""
    v_pos, v_val = _sparse(path, "value", doc.get("value"), n, numeric=True)
    status = doc.get("status")
    if isinstance(status, str):
        # A single status string applies to every cell of the cube.
        s_pos, s_val = np.arange(n, dtype=np.int64), np.full(n, status, dtype=object)
    else:
        s_pos, s_val = _sparse(path, "status", status, n, numeric=False)
    if n <= _DENSE_LIMIT:
        # A cube-sized mask beats sorting the union of two large key sets.
        mask = np.zeros(n, dtype=bool)
        mask[v_pos] = True
        mask[s_pos] = True
        pos = np.flatnonzero(mask)
    else:
        pos = np.union1d(v_pos, s_pos)
    values = np.full(len(pos), np.nan)
    values[np.searchsorted(pos, v_pos)] = v_val
    texts = np.full(len(pos), "", dtype=object)
    texts[np.searchsorted(pos, s_pos)] = s_val
    return pos, values, texts


def _sparse(path: Path, what: str, data: Any, n: int, *, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    if data is None:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=float if numeric else object)
    if isinstance(data, dict):
        try:
            pos = np.fromiter(map(int, data.keys()), dtype=np.int64, count=len(data))
        except ValueError as exc:
            raise ReaderError(path, f"{what} has a key that is not a cell number ({exc})", EXPECTED) from exc
        raw = list(data.values())
    elif isinstance(data, list):
        if len(data) != n:
            raise ReaderError(path, f"dense {what} has {len(data)} cells, the dimensions make {n}", EXPECTED)
        pos, raw = np.arange(n, dtype=np.int64), data
    else:
        raise ReaderError(path, f"{what} is a {type(data).__name__}, expected an object or a list", EXPECTED)
    if len(pos) and (pos.min() < 0 or pos.max() >= n):
        raise ReaderError(path, f"{what} refers to cell {int(pos.max())} beyond the {n} cells of the cube")
    if numeric:
        try:
            val = np.array(raw, dtype=float)  # None → NaN
        except (TypeError, ValueError) as exc:
            raise ReaderError(path, f"{what} holds a non-numeric entry ({exc})", EXPECTED) from exc
        present = ~np.isnan(val)
    else:
        val = np.array(["" if s is None else str(s) for s in raw], dtype=object)
        present = val != ""
    return pos[present], val[present]


def _series_keys(
    ids: list[str],
    sizes: list[int],
    codes: dict[str, np.ndarray],
    by_dim: dict[str, np.ndarray],
    exclude: set,
) -> pd.Categorical:
    """`dim=code|…` per row, built once per distinct series rather than once per cell."""
    dims = [d for d in ids if d not in exclude]
    n_rows = len(next(iter(by_dim.values())))
    if not dims:
        return pd.Categorical.from_codes(np.zeros(n_rows, dtype=np.int64), categories=[""])
    dim_sizes = [sizes[ids.index(d)] for d in dims]
    flat = np.ravel_multi_index([by_dim[d] for d in dims], dim_sizes)
    inverse, uniq = pd.factorize(flat)
    parts = np.unravel_index(uniq, dim_sizes)
    order = sorted(range(len(dims)), key=lambda i: dims[i])
    keys = ["|".join(f"{dims[i]}={codes[dims[i]][parts[i][k]]}" for i in order) for k in range(len(uniq))]
    return pd.Categorical.from_codes(inverse, categories=keys)


def _flags(raw_status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inverse, uniq = pd.factorize(raw_status)
    pairs = [split_flags(s) for s in uniq]
    # The extra trailing None is what factorize's -1 ("missing") code picks.
    obs = np.array([p[0] for p in pairs] + [None], dtype=object)
    conf = np.array([p[1] for p in pairs] + [None], dtype=object)
    return obs[inverse], conf[inverse]


def _declared_code(doc: dict[str, Any]) -> str | None:
    ext = doc.get("extension") or {}
    code = ext.get("id") or (ext.get("datastructure") or {}).get("id")
    return code if isinstance(code, str) and code else None


def _updated(path: Path, doc: dict[str, Any]) -> str | None:
    text = doc.get("updated")
    if not text:
        annotations = (doc.get("extension") or {}).get("annotation") or []
        text = next((a.get("date") for a in annotations if a.get("type") == "UPDATE_DATA"), None)
    return _iso8601(path, text) if text else None


def _iso8601(path: str | Path, text: str) -> str:
    """`2026-02-27T11:00:00+0100` → `2026-02-27T11:00:00+01:00`; a bare date stays a date."""
    try:
        stamp = datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError) as exc:
        raise ReaderError(path, f"updated {text!r} is not an ISO 8601 time", "ISO 8601") from exc
    return text.strip() if len(text.strip()) == 10 else stamp.isoformat()


def _labels(doc: dict[str, Any], ids: list[str], code: str) -> pd.DataFrame:
    lang = str((doc.get("extension") or {}).get("lang") or "en").lower()
    rows = [
        (SOURCE, code, dim, str(c), lang, str(label))
        for dim in ids
        for c, label in ((doc["dimension"][dim]["category"].get("label")) or {}).items()
    ]
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)
