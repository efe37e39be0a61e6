"""Any supported upstream file → ReadResult, dispatching on the format detected from its content."""

from __future__ import annotations

import importlib
from pathlib import Path

from pipelines.readers.base import OBS_COLUMNS, ReaderError, ReadResult
from pipelines.readers.detect import detect_format

# format name → module exposing read(path, *, dataset=None) -> ReadResult
_MODULES = {
    "sdmx-csv": "pipelines.readers.sdmx_csv",
    "eurostat-tsv": "pipelines.readers.eurostat_tsv",
    "jsonstat": "pipelines.readers.jsonstat",
    "databrowser-xlsx": "pipelines.readers.databrowser_xlsx",
    "desi-xlsx": "pipelines.readers.desi",
    "desi-facts": "pipelines.readers.desi_facts",
    "statbel-zip": "pipelines.readers.statbel",
    "statbel-xlsx": "pipelines.readers.statbel",
    "statbel-xls": "pipelines.readers.statbel_eak",
}

__all__ = ["OBS_COLUMNS", "ReadResult", "ReaderError", "detect_format", "read_file"]


def read_file(path: str | Path, *, dataset: str | None = None, fmt: str | None = None) -> ReadResult:
    """Read one upstream file of any supported format; raise ReaderError naming the file if it cannot."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    module = importlib.import_module(_MODULES[fmt])
    if fmt == "statbel-xlsx" and not _has_measures(path):
        return _reference_result(path, module)
    try:
        return module.read(path, dataset=dataset)
    except ReaderError:
        raise
    except Exception as exc:  # noqa: BLE001
        # A reader bug or a malformed file the reader did not anticipate: still name the file.
        raise ReaderError(path, f"could not be read as {fmt}: {type(exc).__name__}: {exc}") from exc


def _has_measures(path: Path) -> bool:
    """Statbel tables name their measures MS_*; a workbook without one is a reference table."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        header = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
    finally:
        wb.close()
    return any(str(c or "").upper().startswith("MS_") for c in header)


def _reference_result(path: Path, module) -> ReadResult:
    import pandas as pd

    ref = module.read_geo_reference(path)
    return ReadResult(
        format="statbel-geo-reference",
        source="statbel",
        dataset=Path(path).name.split(".", 1)[0].split("-", 1)[0].lower(),
        observations=pd.DataFrame(columns=OBS_COLUMNS),
        reference=ref,
        title="Statbel reference table: municipalities and NUTS/LAU codes",
    )
