"""Real upstream files in ../shared/data/raw → the bytes a local upstream answers, cut by byte-exact rules.

Nothing here writes a value. The rules, each keeping every byte it keeps unchanged:

* **SDMX-CSV with codes** (2.0 `STRUCTURE,…` or 1.0 `DATAFLOW,…`): the header line, then the data lines
  whose dimension columns (lower-case ids such as `indic_is`, and `geo`) hold one of the asked codes.
* **Eurostat TSV**: the header line, then the lines whose series key (first cell, `freq,unit,…,geo`) holds
  asked codes. A gzipped file is decompressed first (an exact inverse), and sent gzipped again on the bulk
  route exactly as it lies on disk.
* **Other formats** (JSON-stat, Data Browser xlsx, labels-only SDMX-CSV): the whole file. Eurostat would
  answer a csvdata query in SDMX-CSV; where no real SDMX-CSV bytes of a dataset exist, the real file of the
  same dataset in its own format is served, and the client reads it by its content.

Two documented edits exist for tests: `edit_value` replaces the OBS_VALUE field (or TSV cell) of one line,
as a revision upstream would; a TOC date edit lives in the server. Which codes Eurostat *accepts* for a
dimension is read from the real files (our reader's view of them, and JSON-stat category lists): that only
decides whether a query gets the recorded 400 id 150 answer, never what data is sent.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines.readers import ReaderError, read_file

_DIM = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class RealFile:
    path: Path
    format: str  # the reader's format name
    dataset: str
    upstream_updated: str | None
    codes: dict[str, set[str]]  # dimension → codes present (geo included)
    period_range: tuple[str, str]

    @property
    def text_cuttable(self) -> bool:
        return self.format in ("sdmx-csv-2.0", "sdmx-csv-1.0", "eurostat-tsv") and not self._labels_only

    @property
    def _labels_only(self) -> bool:
        return self.format.startswith("sdmx-csv") and "BE" not in self.codes.get("geo_raw", {"BE"})


@dataclass
class EurostatDataset:
    code: str
    files: list[RealFile] = field(default_factory=list)

    @property
    def codes(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for f in self.files:
            for dim, codes in f.codes.items():
                if dim != "geo_raw":
                    out.setdefault(dim, set()).update(codes)
        return out

    def answer_file(self) -> RealFile:
        """The file a slice is cut from: SDMX-CSV 2.0 (what was asked) first, then 1.0, TSV, anything; of two
        vintages in one format, the later."""
        rank = {"sdmx-csv-2.0": 0, "sdmx-csv-1.0": 1, "eurostat-tsv": 2}
        cuttable = [f for f in self.files if f.text_cuttable]
        pool = cuttable or self.files
        # Within a format, the latest vintage (as choose_latest keeps it), then the name: stable sorts.
        by_name = sorted(pool, key=lambda f: f.path.name)
        newest = sorted(by_name, key=lambda f: f.upstream_updated or "", reverse=True)
        return sorted(newest, key=lambda f: rank.get(f.format, 9))[0]

    def bulk_file(self) -> RealFile | None:
        tsv = [f for f in self.files if f.format == "eurostat-tsv"]
        return sorted(tsv, key=lambda f: (f.upstream_updated or "", f.path.name))[-1] if tsv else None


@cache
def index(raw_dir: Path) -> dict[str, EurostatDataset]:
    """Every Eurostat file under raw_dir/eurostat by dataset (files our readers cannot read are skipped)."""
    out: dict[str, EurostatDataset] = {}
    for f in sorted((Path(raw_dir) / "eurostat").iterdir()):
        if not f.is_file() or f.suffix == ".md":
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = read_file(f)
        except ReaderError:
            continue
        obs = result.observations
        codes: dict[str, set[str]] = {"geo": set(obs["geo"].astype(str))}
        for key in obs["series_key"].astype(str).unique():
            for pair in key.split("|"):
                dim, _, code = pair.partition("=")
                codes.setdefault(dim, set()).add(code)
        for dim, cats in _jsonstat_categories(f).items():
            codes.setdefault(dim, set()).update(cats)
        codes["geo_raw"] = _raw_geos(f, result.format)
        periods = obs["period"].astype(str)
        real = RealFile(f, result.format, result.dataset, result.upstream_updated, codes,
                        (periods.min(), periods.max()))  # fmt: skip
        out.setdefault(result.dataset, EurostatDataset(result.dataset)).files.append(real)
    return out


def _jsonstat_categories(path: Path) -> dict[str, set[str]]:
    if not path.name.endswith(".json"):
        return {}
    doc = json.loads(path.read_bytes())
    time_dims = {"time", "TIME_PERIOD"}
    return {d: set(doc["dimension"][d]["category"]["index"]) for d in doc.get("id", []) if d not in time_dims}


def _raw_geos(path: Path, fmt: str) -> set[str]:
    """The geo column's raw cells of an SDMX-CSV file (codes, or labels in a labels-only download)."""
    if not fmt.startswith("sdmx-csv"):
        return {"BE"}
    rows = csv.reader(io.StringIO(text_of(path).lstrip("\ufeff")))
    header = next(rows)
    col = header.index("geo")
    return {r[col] for r in rows if len(r) > col}


@cache
def text_of(path: Path) -> str:
    """The file's text, byte for byte (a BOM stays a BOM, CRLF stays CRLF): it encodes back the same."""
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")


@cache
def _file_lines(path: Path) -> tuple[str, ...]:
    return tuple(text_of(path).splitlines(keepends=True))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def cut(file: RealFile, filters: dict[str, set[str]], edits: dict | None = None) -> bytes:
    """The answer to a filtered query, by the rule of the file's format (see the module docstring)."""
    if not file.text_cuttable:
        return file.path.read_bytes()
    lines = list(_file_lines(file.path))
    if edits:
        lines = [edits.get(i, line) for i, line in enumerate(lines)]
    if file.format == "eurostat-tsv":
        keep = _tsv_matcher(lines[0], filters)
    else:
        keep = _csv_matcher(lines[0], filters)
    kept = [lines[0]] + [line for line in lines[1:] if line.strip() and keep(line)]
    return "".join(kept).encode()


def _csv_matcher(header_line: str, filters: dict[str, set[str]]):
    header = next(csv.reader([header_line.lstrip("\ufeff")]))
    cols = {name: i for i, name in enumerate(header) if _DIM.match(name)}

    def keep(line: str) -> bool:
        row = next(csv.reader([line]))
        return all(dim not in cols or row[cols[dim]] in codes for dim, codes in filters.items())

    return keep


def _tsv_matcher(header_line: str, filters: dict[str, set[str]]):
    first = header_line.split("\t", 1)[0]
    dims = first.split("\\", 1)[0].split(",") + []
    names = dims[:-1] + ["geo"] if dims[-1] == "geo" else dims

    def keep(line: str) -> bool:
        key = line.split("\t", 1)[0].split(",")
        values = dict(zip(names, key, strict=False))
        return all(dim not in values or values[dim] in codes for dim, codes in filters.items())

    return keep


def bulk_bytes(file: RealFile) -> bytes:
    """The bulk route's body: the file as it lies on disk when gzipped, else its exact gzip."""
    data = file.path.read_bytes()
    return data if data[:2] == b"\x1f\x8b" else gzip.compress(data, mtime=0)


def line_edit(file: RealFile, match: dict[str, str], new_value: str) -> tuple[int, str, str]:
    """(line number, new line, old value text): the one line of `file` whose fields match, with its value
    field replaced by `new_value`. Raises ValueError unless exactly one line matches."""
    lines = list(_file_lines(file.path))
    if file.format == "eurostat-tsv":
        return _tsv_edit(lines, match, new_value)
    header = next(csv.reader([lines[0].lstrip("\ufeff")]))
    value_col = header.index("OBS_VALUE")
    hits = []
    for i, line in enumerate(lines[1:], start=1):
        row = next(csv.reader([line]))
        if all(row[header.index(k)] == v for k, v in match.items()):
            hits.append(i)
    if len(hits) != 1:
        raise ValueError(f"{file.path.name}: {len(hits)} lines match {match}, expected 1")
    i = hits[0]
    start, end = _field_spans(lines[i])[value_col]
    return i, lines[i][:start] + new_value + lines[i][end:], lines[i][start:end]


def _field_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each comma-separated field of one CSV line, quotes respected, so that one field can be
    replaced while every other byte stays as it was."""
    spans, start, quoted = [], 0, False
    for pos, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            spans.append((start, pos))
            start = pos + 1
    spans.append((start, len(line.rstrip("\r\n"))))
    return spans


def _tsv_edit(lines: list[str], match: dict[str, str], new_value: str) -> tuple[int, str, str]:
    header = lines[0].rstrip("\r\n").split("\t")
    names = header[0].split("\\", 1)[0].split(",")
    period = match["TIME_PERIOD"]
    col = next(i for i, h in enumerate(header) if h.strip() == period)
    hits = []
    for i, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\r\n").split("\t")
        key = dict(zip(names, cells[0].split(","), strict=False))
        if all(key.get(k) == v for k, v in match.items() if k != "TIME_PERIOD"):
            hits.append((i, cells))
    if len(hits) != 1:
        raise ValueError(f"{len(hits)} TSV lines match {match}, expected 1")
    i, cells = hits[0]
    old_cell = cells[col]
    value, _, flags = old_cell.strip().partition(" ")
    cells[col] = f"{new_value} {flags}".rstrip() + (" " if old_cell.endswith(" ") else "")
    return i, "\t".join(cells) + "\n", value
