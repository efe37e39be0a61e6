"""Statbel's Labour Force Survey quarterly table (legacy .xls) → rates by region, age, sex and quarter.

Statbel publishes the Labour Force Survey (EAK / EFT) quarterly results as one Excel 97-2003 workbook,
"Downloadbare tabel met kwartaalresultaten EAK vanaf 2017" (NL). Its sheets ` indicatoren 15-64` and
` indicatoren 20-64` hold the employment, activity and unemployment rates: row 0 the quarter labels
("1ste kwartaal 2017", one per age block), row 1 the age bands ("20-54 jaar", ...), then for each
geography a title row ("België", "Vlaams Gewest", ...) followed by three indicators × three sexes, the
values as fractions. The other sheets (15+, 15-64, 20-64: counts of employed, unemployed, inactive) are
not read: every indicator we use is a rate, and the counts are the rates' ingredients.

The file is BIFF (Excel 97-2003), which openpyxl does not read: xlrd, the maintained reader of that
format, does. What no library does is the layout above, hence this module.

Mapping onto :mod:`pipelines.readers.base`:

* ``geo``: NUTS-1 codes (``BE``, ``BE1`` Brussels-Capital, ``BE2`` Flemish, ``BE3`` Walloon Region), from
  the region names as Statbel writes them; Statbel's own reference table ``TU_COM_NUTS_LAU`` gives the
  same pairs (checked by a test).
* ``series_key``: ``age`` (``Y20-64``), ``indic`` (Statbel's Dutch term, lower-case:
  ``werkgelegenheidsgraad``, ``activiteitsgraad``, ``werkloosheidsgraad``), ``sex`` (``M``, ``F``,
  ``T``, Eurostat's codes for Mannen, Vrouwen, Totaal), ``unit=RT`` (a rate as a fraction of 1).
* ``period``: ``2017-Q1`` ...; the quarter marked "(b)" (1ste kwartaal 2021: new questionnaire and ILO
  definitions) carries the break flag ``b`` on every series.
* labels: the Dutch texts of the file (lang ``nl``), definitions included in ``notes``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import xlrd
import xlrd.compdoc

from pipelines.readers.base import LABEL_COLUMNS, ReaderError, ReadResult, finalize, series_key

FORMAT = "statbel-xls"
SOURCE = "statbel"
DATASET = "eak_quarterly"
TITLE = "Statbel Labour Force Survey: key labour market indicators by region, age and sex (quarterly)"
EXPECTED = "Statbel's EAK quarterly workbook (sheets ' indicatoren 15-64', ' indicatoren 20-64')"
SHEETS = (" indicatoren 15-64", " indicatoren 20-64")
GEOS = {
    "België": "BE",
    "Brussels Hoofdstedelijk Gewest": "BE1",
    "Vlaams Gewest": "BE2",
    "Waals Gewest": "BE3",
}
SEXES = {"Mannen": "M", "Vrouwen": "F", "Totaal": "T"}
_QUARTER_RE = re.compile(r"^(?P<q>[1-4])(?:ste|de) kwartaal (?P<year>\d{4})\s*(?P<flag>\(b\))?\s*$")
_AGE_RE = re.compile(r"^(?P<lo>\d+)-(?P<hi>\d+) jaar$")


def read(path: str | Path, *, dataset: str | None = None) -> ReadResult:
    path = Path(path)
    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as exc:
        raise ReaderError(path, f"not a readable Excel 97-2003 workbook ({exc})", EXPECTED) from exc
    missing = [s for s in SHEETS if s not in book.sheet_names()]
    if missing:
        raise ReaderError(path, f"no sheet {missing[0]!r} (sheets: {book.sheet_names()})", EXPECTED)
    rows, labels, notes = [], [], []
    for name in SHEETS:
        sheet_rows, sheet_labels, sheet_notes = _read_sheet(path, book.sheet_by_name(name))
        rows += sheet_rows
        labels += sheet_labels
        notes += [n for n in sheet_notes if n not in notes]
    ds = dataset or DATASET
    obs = pd.DataFrame(rows).assign(source=SOURCE, dataset=ds, conf_flag=None, upstream_updated=None)
    label_frame = pd.DataFrame(labels, columns=["dimension", "code", "label", "lang"]).drop_duplicates()
    label_frame = label_frame.assign(source=SOURCE, dataset=ds)[LABEL_COLUMNS]
    return ReadResult(
        format=FORMAT,
        source=SOURCE,
        dataset=ds,
        observations=finalize(obs, path),
        labels=label_frame,
        title=TITLE,
        notes=notes,
    )


def _read_sheet(path: Path, sheet) -> tuple[list[dict], list[tuple[str, str, str, str]], list[str]]:
    quarters = _quarters(path, sheet)
    ages = _ages(path, sheet, quarters)
    rows, labels, notes = [], [], []
    geo = indic = None
    for r in range(2, sheet.nrows):
        head, sex_text = str(sheet.cell_value(r, 0)).strip(), str(sheet.cell_value(r, 1)).strip()
        if head in GEOS and not sex_text:
            geo, indic = GEOS[head], None
            labels.append(("geo", geo, head, "nl"))
            continue
        if head and not sex_text:
            # Definitions and footnotes under the table: kept as the dataset's notes.
            notes.append(head)
            continue
        if not head and not sex_text:
            continue
        if head:
            indic = head.lower()
            labels.append(("indic", indic, head, "nl"))
        if geo is None or indic is None or sex_text not in SEXES:
            raise ReaderError(path, f"sheet {sheet.name!r} row {r + 1}: unexpected {head!r} / {sex_text!r}")
        sex = SEXES[sex_text]
        labels.append(("sex", sex, sex_text, "nl"))
        for c, (period, flag) in quarters.items():
            value = sheet.cell_value(r, c)
            if value in ("", None):
                continue
            if not isinstance(value, float):
                raise ReaderError(
                    path, f"sheet {sheet.name!r} cell {xlrd.cellname(r, c)}: not a number: {value!r}"
                )
            age = ages[c]
            key = series_key({"age": age, "indic": indic, "sex": sex, "unit": "RT"})
            rows.append({"series_key": key, "geo": geo, "period": period, "value": value, "obs_flag": flag})
    labels += [
        ("age", code, text, "nl") for code, text in {ages[c]: _age_text(sheet, c) for c in ages}.items()
    ]
    labels.append(("unit", "RT", "Rate (fraction of 1)", "en"))
    return rows, labels, notes


def _quarters(path: Path, sheet) -> dict[int, tuple[str, str | None]]:
    """Column → (period, flag): each quarter label heads its block of age columns."""
    out, current = {}, None
    for c in range(2, sheet.ncols):
        text = str(sheet.cell_value(0, c)).strip()
        if text:
            m = _QUARTER_RE.match(text)
            if not m:
                raise ReaderError(
                    path, f"sheet {sheet.name!r} cell {xlrd.cellname(0, c)}: not a quarter: {text!r}"
                )
            current = (f"{m['year']}-Q{m['q']}", "b" if m["flag"] else None)
        if current is None:
            raise ReaderError(path, f"sheet {sheet.name!r}: age columns before the first quarter label")
        out[c] = current
    return out


def _ages(path: Path, sheet, quarters: dict[int, tuple]) -> dict[int, str]:
    """Column → age code; a spacer column (no age band, no value) is dropped from `quarters`."""
    out = {}
    for c in list(quarters):
        if not _age_text(sheet, c) and not any(str(v).strip() for v in sheet.col_values(c, 2)):
            del quarters[c]
            continue
        m = _AGE_RE.match(_age_text(sheet, c))
        if not m:
            raise ReaderError(path, f"sheet {sheet.name!r} cell {xlrd.cellname(1, c)}: not an age band")
        out[c] = f"Y{m['lo']}-{m['hi']}"
    return out


def _age_text(sheet, c: int) -> str:
    return str(sheet.cell_value(1, c)).strip()
