"""A file's first bytes → the name of the upstream format it is in (content, not file name, decides)."""

from __future__ import annotations

import gzip
import json
import re
import zipfile
import zlib
from pathlib import Path

from pipelines.readers.archives import check_gzip, check_zip
from pipelines.readers.base import ReaderError
from pipelines.readers.desi_facts import looks_like_facts

SDMX_CSV = "sdmx-csv"
EUROSTAT_TSV = "eurostat-tsv"
JSONSTAT = "jsonstat"
DATABROWSER_XLSX = "databrowser-xlsx"
DESI_XLSX = "desi-xlsx"
STATBEL_ZIP = "statbel-zip"
STATBEL_XLSX = "statbel-xlsx"
DESI_FACTS = "desi-facts"
STATBEL_XLS = "statbel-xls"
# Excel 97-2003 (BIFF) lives in an OLE2 compound file; the only such upstream file we take is Statbel's.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

EXPECTED = (
    "Eurostat SDMX-CSV, TSV (plain or gzip), JSON-stat, Data Browser xlsx, DESI xlsx or facts (CSV, JSON), "
    "or a Statbel zip/xlsx/xls"
)
_HEAD_BYTES = 64 * 1024
_JSONSTAT_CLASS = re.compile(r'"class"\s*:\s*"dataset"')


def detect_format(path: str | Path) -> str:
    """Sniff the content of `path` and return one of the format names above, or raise ReaderError."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise ReaderError(path, f"cannot open: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise ReaderError(path, "the file is empty", EXPECTED)
    if raw[:2] == b"\x1f\x8b":
        check_gzip(path)
        return _sniff_text(path, _gunzip_head(path))
    if raw[:4] == b"PK\x03\x04":
        return _sniff_zip(path)
    if raw[:8] == _OLE2:
        return _sniff_xls(path)
    return _sniff_text(path, raw)


def _gunzip_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(_HEAD_BYTES)
    except (EOFError, OSError, zlib.error) as exc:
        raise ReaderError(path, f"corrupt or truncated gzip ({exc})", "a complete gzip file") from exc


def _sniff_text(path: Path, head: bytes) -> str:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    first = text.split("\n", 1)[0]
    low = text[:512].lower()
    if low.startswith(("<!doctype html", "<html")) or "<html" in low[:200]:
        raise ReaderError(path, "this is an HTML page (an error or login page?), not data", EXPECTED)
    if first.startswith(("STRUCTURE,STRUCTURE_ID", "DATAFLOW,")):
        return SDMX_CSV
    if looks_like_facts(text):
        return DESI_FACTS
    if "\t" in first and ("\\TIME_PERIOD" in first or "\\time" in first):
        return EUROSTAT_TSV
    if text.startswith("{"):
        if _looks_like_jsonstat(text):
            return JSONSTAT
        raise ReaderError(path, "JSON but not a JSON-stat dataset (no id/size/dimension)", EXPECTED)
    if first.startswith("<"):
        raise ReaderError(path, "XML is not a supported format", EXPECTED)
    raise ReaderError(path, f"unrecognised content starting {first[:60]!r}", EXPECTED)


def _looks_like_jsonstat(text: str) -> bool:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        # Only the head of a large file was read: JSON-stat declares its class before the values.
        return bool(_JSONSTAT_CLASS.search(text[:4096])) or all(f'"{k}"' in text for k in ("id", "size"))
    return isinstance(doc, dict) and {"id", "size", "dimension"} <= doc.keys()


def _sniff_xls(path: Path) -> str:
    import xlrd
    import xlrd.compdoc

    from pipelines.readers.statbel_eak import SHEETS

    try:
        names = xlrd.open_workbook(path, on_demand=True).sheet_names()
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as exc:
        raise ReaderError(
            path, f"an OLE2 file but not a readable Excel 97-2003 workbook ({exc})", EXPECTED
        ) from exc
    if all(s in names for s in SHEETS):
        return STATBEL_XLS
    raise ReaderError(path, f"an Excel 97-2003 workbook with unknown sheets {names[:5]}", EXPECTED)


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(path, zf)
            names = zf.namelist()
            if "[Content_Types].xml" in names:
                return _sniff_xlsx(path, zf)
    except zipfile.BadZipFile as exc:
        raise ReaderError(path, f"corrupt or truncated zip ({exc})", EXPECTED) from exc
    if any(n.lower().endswith((".txt", ".csv")) for n in names):
        return STATBEL_ZIP
    raise ReaderError(path, f"zip without a .txt or .csv member (members: {names[:5]})", EXPECTED)


def _sniff_xlsx(path: Path, zf: zipfile.ZipFile) -> str:
    workbook = zf.read("xl/workbook.xml").decode("utf-8", errors="replace")
    if 'name="Sheet 1"' in workbook and 'name="Structure"' in workbook:
        return DATABROWSER_XLSX
    if 'name="Metadata"' in workbook or 'name="Data"' in workbook:
        return DESI_XLSX
    shared = (
        zf.read("xl/sharedStrings.xml").decode("utf-8", errors="replace")
        if ("xl/sharedStrings.xml" in zf.namelist())
        else ""
    )
    if "CD_" in shared or "MS_" in shared:
        return STATBEL_XLSX
    raise ReaderError(
        path, "a workbook that is neither a Data Browser export, DESI nor Statbel table", EXPECTED
    )
