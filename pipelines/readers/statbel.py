"""Statbel open-data file (zip of pipe-delimited txt, txt, or xlsx) → tidy observations and labels.

Statbel publishes its open data as zips holding one pipe-delimited, Windows-1252, CRLF text file,
at https://statbel.fgov.be/sites/default/files/files/opendata/<folder>/<file>, plus a few xlsx
tables (e.g. TU_COM_NUTS_LAU-<date>.xlsx). Columns follow Statbel's prefixes:
``CD_*`` codes, ``TX_*_<NL|FR|DE|EN>`` labels of the code column just before them, ``MS_*`` measures,
``DT_*`` dates.

Mapping onto the contract of :mod:`pipelines.readers.base`:

* ``geo``: the finest geography code present, in the order CD_SECTOR, CD_REFNIS, CD_MUNTY_REFNIS,
  CD_DSTR_REFNIS, CD_PROV_REFNIS, CD_RGN_REFNIS (NIS codes kept as written, e.g. ``"11001"``,
  ``"04000"``); ``"BE"`` when the file has no geography column. A coarser geography column that is a
  function of ``geo`` is hierarchy, not a dimension; one that is not stays a dimension of the series.
* ``series_key``: the remaining ``CD_*`` columns, lower-case under Statbel's own names, plus
  ``measure=<MS column, lower-case>``, via :func:`base.series_key`; e.g.
  ``cd_age=100|cd_civ_sts=3|cd_natlty=BEL|cd_sex=F|measure=ms_population``. A file with several
  ``MS_*`` columns gives one series per measure.
* ``period``: a CD_YEAR / CD_PERIOD / DT_REFDATE-like column when the file has one, else the suffix
  of the file name: ``_2022`` → ``"2022"``, ``-20190101`` → ``"2019-01-01"`` (reported in notes).
  Other ``DT_*`` columns (e.g. validity dates) are left out (reported in notes).
* ``dataset``: the file stem without that suffix, lower-case (``tf_soc_pop_struct``).
* Rows that share a key once labels are dropped are summed only when every measure is a count
  (:data:`ADDITIVE_TOKENS`); otherwise the read fails. TF_SOC_POP_STRUCT_2022 has 621 such extra
  rows, all at CD_AGE=100, the highest age code: they read as one row per actual age of 100 and over,
  all coded 100, so the sum is the "100 and over" count and the total stays 11,584,008.
* labels: one row per distinct (dimension, code, lang, label) from the ``TX_*`` columns; geography
  names under dimension ``"geo"`` and, for the hierarchy columns, under their own lower-case names
  (``"cd_prov_refnis"``). The hierarchy itself is in labels too: dimension
  ``"geo.<column>"`` (e.g. ``"geo.cd_prov_refnis"``), code = the ``geo`` code, lang ``"zxx"`` (ISO
  639 "no linguistic content"), label = the parent code; :func:`geo_hierarchy` pivots it back. The
  warehouse files these geography rows in statbel_geo_names and statbel_geo_parents, not in labels.
  Brussels municipalities have no province, so they have no ``geo.cd_prov_refnis`` row.

The text is streamed from the zip member in chunks (never extracted), with codes held as
categoricals: the 102 MB TF_SOC_POP_STRUCT_2022 reads in about two seconds.

``TU_COM_NUTS_LAU-<date>.xlsx`` (municipalities ↔ NUTS/LAU) has no measure: :func:`read` refuses it
and :func:`read_geo_reference` returns it as a table (one row per code and validity period).
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO

import pandas as pd
from pandas.api.types import union_categoricals

from pipelines.readers.base import LABEL_COLUMNS, ReaderError, ReadResult, finalize, series_key

SOURCE = "statbel"

# Finest first; the first one present is geo.
GEO_COLUMNS = (
    "CD_SECTOR",
    "CD_REFNIS",
    "CD_MUNTY_REFNIS",
    "CD_DSTR_REFNIS",
    "CD_PROV_REFNIS",
    "CD_RGN_REFNIS",
)
PERIOD_COLUMNS = ("CD_YEAR", "CD_YR", "CD_REFYEAR", "CD_PERIOD", "DT_REFDATE", "DT_REF_DATE", "DT_DATE")
NATIONAL_GEO = "BE"
LANGS = {"NL": "nl", "FR": "fr", "DE": "de", "EN": "en"}
HIERARCHY_LANG = "zxx"
# A measure is summed over duplicate keys only if its name says it counts something and nothing
# says it is an average, a share or a level; anything else is refused rather than guessed.
ADDITIVE_TOKENS = {"POPULATION", "POP", "NUM", "NBR", "NB", "CNT", "COUNT", "TOT", "TOTAL", "SUM"}
NON_ADDITIVE_TOKENS = {
    "AVG",
    "MEAN",
    "MEDIAN",
    "MED",
    "PCT",
    "PERC",
    "PERCENT",
    "RATE",
    "RATIO",
    "SHARE",
    "IDX",
    "INDEX",
    "PRICE",
    "DENSITY",
}
# TU_COM_NUTS_LAU writes "-" for a missing code and "NA" for a missing name (e.g. NUTS-2 BE10).
REFERENCE_MISSING = ["", "-", "NA"]
TEXT_MEMBER_SUFFIXES = (".txt", ".csv")
CHUNK_ROWS = 100_000
SNIFF_BYTES = 1 << 20
_NAME_SUFFIX = re.compile(r"^(?P<base>.+?)[_-](?P<stamp>\d{8}|\d{4})$")
EXPECTED_TEXT = "a Statbel pipe-delimited text with a CD_*/TX_*/MS_* header"

Opener = Callable[[], IO[bytes]]


# --------------------------------------------------------------------------- public API


def read(path: Path, *, dataset: str | None = None) -> ReadResult:
    """Read one Statbel open-data file (.zip, .txt/.csv or .xlsx) into tidy observations."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        table = _categorize(_read_xlsx(path), path)
        fmt = "statbel-xlsx"
        if not _measure_columns(table.columns):
            raise ReaderError(path, _no_measure_problem(table.columns), "MS_* measure columns")
    elif suffix == ".zip":
        with _zip_member(path) as opener:
            table = _read_text(opener, path)
        fmt = "statbel-zip"
    elif suffix in TEXT_MEMBER_SUFFIXES:
        table = _read_text(lambda: open(path, "rb"), path)
        fmt = "statbel-txt"
    else:
        raise ReaderError(path, f"unsupported file type {suffix!r}", "a Statbel .zip, .txt/.csv or .xlsx")
    base, stamp = _split_name(path)
    dataset = dataset or base
    notes: list[str] = []
    observations, labels = _tidy(table, path, dataset, stamp, notes)
    return ReadResult(
        format=fmt,
        source=SOURCE,
        dataset=dataset,
        observations=finalize(observations, path),
        labels=labels,
        upstream_updated=None,
        notes=notes,
    )


def read_geo_reference(path: Path) -> pd.DataFrame:
    """Statbel municipalities ↔ NUTS/LAU xlsx (TU_COM_NUTS_LAU-<date>.xlsx) → one row per code and validity.

    Columns: ``geo`` (NIS code; None where Statbel writes ``-``, e.g. NUTS-2 BE10), ``nuts_lau_code``
    (CD_LAU: the NUTS code for levels 1–3, the LAU code = NIS code for municipalities),
    ``level`` (1 region … 4 municipality), ``parent`` (the parent's ``nuts_lau_code``),
    ``name_nl/fr/de/en``, ``valid_from``/``valid_to`` (ISO dates; 9999-12-31 = still valid).
    A municipality whose NUTS-3 parent changed appears once per validity period.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ReaderError(path, f"unsupported file type {path.suffix!r}", "a Statbel TU_COM_NUTS_LAU .xlsx")
    raw = _read_xlsx(path)
    needed = ["CD_LAU", "CD_MUNTY_REFNIS", "CD_LVL", "CD_LVL_SUP", "DT_VLDT_STRT", "DT_VLDT_STOP"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise ReaderError(path, f"no column(s) {missing}", "the TU_COM_NUTS_LAU layout")
    raw = raw[raw["CD_LAU"] != ""]

    def code(col: str) -> pd.Series:
        return raw[col].where(~raw[col].isin(REFERENCE_MISSING), None)

    out = pd.DataFrame(
        {
            "geo": code("CD_MUNTY_REFNIS"),
            "nuts_lau_code": raw["CD_LAU"],
            "level": pd.to_numeric(raw["CD_LVL"], errors="raise").astype("Int8"),
            "parent": code("CD_LVL_SUP"),
        }
    )
    for lang in ("nl", "fr", "de", "en"):
        col = f"TX_DESCR_{lang.upper()}"
        out[f"name_{lang}"] = code(col) if col in raw.columns else None
    out["valid_from"] = raw["DT_VLDT_STRT"].map(lambda v: _iso_date(v, path, "DT_VLDT_STRT"))
    out["valid_to"] = raw["DT_VLDT_STOP"].map(lambda v: _iso_date(v, path, "DT_VLDT_STOP"))
    return out.reset_index(drop=True)


def geo_hierarchy(labels: pd.DataFrame) -> pd.DataFrame:
    """The ``geo.<column>`` label rows of a ReadResult → one row per geo, one column per coarser level."""
    rows = labels[labels["dimension"].str.startswith("geo.") & (labels["lang"] == HIERARCHY_LANG)]
    wide = rows.assign(level=rows["dimension"].str.removeprefix("geo.")).pivot(
        index="code", columns="level", values="label"
    )
    wide.columns.name = None
    return wide.rename_axis("geo").reset_index()


# --------------------------------------------------------------------------- reading


@contextmanager
def _zip_member(path: Path):
    """Yield an opener of the zip's data member; opening twice lets us sniff, then stream."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ReaderError(path, f"not a readable zip ({exc})", "a Statbel open-data zip") from exc
    with archive:
        members = [i for i in archive.infolist() if i.filename.lower().endswith(TEXT_MEMBER_SUFFIXES)]
        if len(members) > 1:
            # Statbel zips sometimes ship documentation beside the data; the data is named like the zip.
            members = [i for i in members if Path(i.filename).stem.lower() == path.stem.lower()] or members
        if len(members) != 1:
            names = [i.filename for i in archive.infolist()]
            problem = "no .txt/.csv member" if not members else "several .txt/.csv members"
            raise ReaderError(path, f"{problem} (members: {names})", "one pipe-delimited .txt member")
        yield lambda: archive.open(members[0])


def _read_text(opener: Opener, path: Path) -> pd.DataFrame:
    """Stream a pipe-delimited text into a frame of categorical codes/labels and numeric measures."""
    try:
        header, encoding = _sniff(opener, path)
        keep = [c for c in header if c.startswith(("CD_", "TX_", "MS_", "DT_"))]
        measures = _measure_columns(keep)
        parts: list[pd.DataFrame] = []
        with opener() as raw:
            reader = pd.read_csv(
                raw,
                sep="|",
                encoding=encoding,
                usecols=keep,
                dtype=str,
                na_filter=False,
                quoting=csv.QUOTE_NONE,
                chunksize=CHUNK_ROWS,
            )
            for chunk in reader:
                parts.append(_compact_chunk(chunk, measures, path))
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReaderError(path, f"cannot read the text ({type(exc).__name__}: {exc})", EXPECTED_TEXT) from exc
    if not parts:
        raise ReaderError(path, "header but no data rows", EXPECTED_TEXT)
    return _concat_chunks(parts)


def _sniff(opener: Opener, path: Path) -> tuple[list[str], str]:
    """Header columns and encoding: cp1252 as Statbel writes, unless the bytes are UTF-8 (BOM or valid)."""
    with opener() as raw:
        sample = raw.read(SNIFF_BYTES)
    encoding = "cp1252"
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif not sample.isascii():
        try:
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            pass
    first = sample.split(b"\n", 1)[0].decode(encoding, errors="replace").strip().lstrip("\ufeff")
    header = [c.strip() for c in first.split("|")]
    if len(header) < 2:
        raise ReaderError(path, f"first line is not a pipe-delimited header: {first[:80]!r}", EXPECTED_TEXT)
    if not _measure_columns(header):
        raise ReaderError(path, _no_measure_problem(header), "at least one MS_* measure column")
    if not any(c.startswith("CD_") for c in header):
        raise ReaderError(path, f"no CD_* code column in header {header}", EXPECTED_TEXT)
    return header, encoding


def _compact_chunk(chunk: pd.DataFrame, measures: list[str], path: Path) -> pd.DataFrame:
    for col in chunk.columns:
        if col in measures:
            chunk[col] = _to_number(chunk[col], col, path)
        else:
            chunk[col] = chunk[col].str.strip().astype("category")
    return chunk


def _to_number(values: pd.Series, col: str, path: Path) -> pd.Series:
    values = values.str.strip().replace("", None)
    try:
        return pd.to_numeric(values, errors="raise").astype("float64")
    except (ValueError, TypeError):
        bad = values[pd.to_numeric(values, errors="coerce").isna() & values.notna()]
        raise ReaderError(path, f"{col} has non-numeric value {bad.iloc[0]!r}", "numbers in MS_*") from None


def _concat_chunks(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    cols = {}
    for col in parts[0].columns:
        pieces = [p[col] for p in parts]
        if isinstance(pieces[0].dtype, pd.CategoricalDtype):
            cols[col] = pd.Series(union_categoricals(pieces), name=col)
        else:
            cols[col] = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame(cols)


def _read_xlsx(path: Path) -> pd.DataFrame:
    """First sheet with a CD_ header → all cells as text (dates as ISO, integral numbers without .0)."""
    import openpyxl  # only xlsx callers pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and KeyError variants for broken books
        problem = f"not a readable xlsx ({type(exc).__name__}: {exc})"
        raise ReaderError(path, problem, "a Statbel xlsx") from exc
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            first = next(rows, None) or ()
            # Statbel's sheets declare 703 columns (A:AAA); the header's real width bounds the table.
            header = []
            for value in first:
                if value is None:
                    break
                header.append(str(value).strip())
            if not any(h.startswith("CD_") for h in header):
                continue
            width = len(header)
            body = [[_cell_text(v) for v in row[:width]] for row in rows if any(v is not None for v in row)]
            return pd.DataFrame(body, columns=header, dtype=str)
    finally:
        book.close()
    raise ReaderError(path, "no sheet with a CD_* header row", "a Statbel xlsx table")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _iso_date(text: str, path: Path, col: str) -> str:
    """A date cell as ISO text; a bare number is an Excel serial (a cell saved without date format)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"\d+(\.\d+)?", text):
        from openpyxl.utils.datetime import from_excel

        return from_excel(float(text)).strftime("%Y-%m-%d")
    raise ReaderError(path, f"{col} holds {text!r}", "a date or an Excel date serial")


def _categorize(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    measures = _measure_columns(table.columns)
    keep = [c for c in table.columns if c.startswith(("CD_", "TX_", "MS_", "DT_"))]
    return _compact_chunk(table[keep].copy(), measures, path)


# --------------------------------------------------------------------------- tidying


def _tidy(
    table: pd.DataFrame, path: Path, dataset: str, stamp: str | None, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    measures = _measure_columns(table.columns)
    period_col = next((c for c in PERIOD_COLUMNS if c in table.columns), None)
    period = _period(table, period_col, path, stamp, notes)
    dropped_dates = [c for c in table.columns if c.startswith("DT_") and c != period_col]
    if dropped_dates:
        notes.append(f"date column(s) {dropped_dates} are not observation dates and were left out")
    geo_col, hierarchy = _geography(table, notes)
    codes = [c for c in table.columns if c.startswith("CD_")]
    dims = [c for c in codes if c not in {geo_col, period_col, *hierarchy}]
    if geo_col is None:
        geo = pd.Series(NATIONAL_GEO, index=table.index, dtype="category")
    else:
        geo = table[geo_col]
        empty = int((geo == "").sum())
        if empty:
            raise ReaderError(path, f"{empty} row(s) with an empty {geo_col}", f"a {geo_col} on every row")
    frame = pd.DataFrame({"geo": geo, "period": period})
    for col in dims:
        frame[col] = table[col]
    for col in measures:
        frame[col] = table[col]
    frame = _collapse_duplicates(frame, ["geo", "period", *dims], measures, path, notes)
    observations = _long(frame, dims, measures, dataset, notes)
    labels = _labels(table, geo_col, hierarchy, dataset, notes)
    return observations, labels


def _period(
    table: pd.DataFrame, period_col: str | None, path: Path, stamp: str | None, notes: list[str]
) -> pd.Series:
    if period_col is not None:
        values = table[period_col].astype(str)
        if period_col.startswith("DT_"):
            values = pd.to_datetime(values, format="mixed", dayfirst=True).dt.strftime("%Y-%m-%d")
        return values.astype("category")
    if stamp is None:
        raise ReaderError(
            path,
            "no year/date column and no year in the file name",
            f"one of {list(PERIOD_COLUMNS)} or a name ending in _<yyyy> or -<yyyymmdd>",
        )
    period = stamp if len(stamp) == 4 else f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
    notes.append(f"period {period} taken from the file name {path.name}: the file has no year or date column")
    return pd.Series(period, index=table.index, dtype="category")


def _geography(table: pd.DataFrame, notes: list[str]) -> tuple[str | None, list[str]]:
    """The geo column and the coarser geography columns that are functions of it (its hierarchy)."""
    present = [c for c in GEO_COLUMNS if c in table.columns]
    if not present:
        notes.append(f"no geography column: geo set to {NATIONAL_GEO!r} (Belgium)")
        return None, []
    geo_col, coarser = present[0], present[1:]
    hierarchy = []
    for col in coarser:
        pairs = table[[geo_col, col]].drop_duplicates()
        if pairs[geo_col].duplicated().any():
            notes.append(f"{col} is not a function of {geo_col}, so it is kept as a series dimension")
        else:
            hierarchy.append(col)
    if hierarchy:
        notes.append(
            f"geo = {geo_col}; {hierarchy} are its parents, kept in labels (dimension 'geo.<column>', "
            f"lang '{HIERARCHY_LANG}'), not in series_key"
        )
    return geo_col, hierarchy


def _collapse_duplicates(
    frame: pd.DataFrame, key: list[str], measures: list[str], path: Path, notes: list[str]
) -> pd.DataFrame:
    """Sum rows that share a key, but only for count measures; other measures cannot be combined."""
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    extra = int(frame.duplicated(key).sum())
    example = {k: str(v) for k, v in frame.loc[dup, key].iloc[0].items()}
    where = _common_values(frame.loc[dup], key, frame)
    not_additive = [m for m in measures if not _is_additive(m)]
    if not_additive:
        raise ReaderError(
            path,
            f"{extra} row(s) repeat a key once labels are dropped{where}, e.g. {example}, and "
            f"{not_additive} cannot be summed",
            "one row per key, or additive (count) measures",
        )
    summed = frame.groupby(key, observed=True, sort=False, as_index=False)[measures].sum(min_count=1)
    notes.append(
        f"{extra} row(s) repeated a key once labels were dropped{where} (e.g. {example}); "
        f"{measures} are counts, so rows sharing a key were summed"
    )
    return summed


def _common_values(rows: pd.DataFrame, key: list[str], frame: pd.DataFrame) -> str:
    """Name the key values all duplicates share (e.g. CD_AGE=100) when they are a clear subset."""
    common = []
    for col in key:
        values = rows[col].unique()
        if len(values) == 1 and frame[col].nunique() > 1:
            common.append(f"{col}={values[0]}")
    return f", all with {', '.join(common)}" if common else ""


def _is_additive(measure: str) -> bool:
    tokens = set(measure.upper().split("_")[1:])
    return bool(tokens & ADDITIVE_TOKENS) and not tokens & NON_ADDITIVE_TOKENS


def _long(
    frame: pd.DataFrame, dims: list[str], measures: list[str], dataset: str, notes: list[str]
) -> pd.DataFrame:
    """One observation per row and measure, with series_key built once per distinct dimension combination."""
    if dims:
        combo_codes, combos = pd.MultiIndex.from_frame(frame[dims]).factorize()
        names = [d.lower() for d in dims]
        combo_dicts = [dict(zip(names, map(str, values), strict=True)) for values in combos]
    else:
        combo_codes, combo_dicts = pd.Series(0, index=frame.index).to_numpy(), [{}]
    pieces = []
    for measure in measures:
        keys = [series_key({**dims_, "measure": measure.lower()}) for dims_ in combo_dicts]
        piece = pd.DataFrame(
            {
                "geo": frame["geo"].to_numpy(),
                "period": frame["period"].to_numpy(),
                "series_key": pd.Categorical.from_codes(combo_codes, categories=keys),
                "value": frame[measure].to_numpy(),
            }
        )
        missing = int(piece["value"].isna().sum())
        if missing:
            notes.append(f"{missing} empty {measure} value(s) dropped")
            piece = piece[piece["value"].notna()]
        pieces.append(piece)
    out = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    out["source"] = SOURCE
    out["dataset"] = dataset
    out["obs_flag"] = None
    out["conf_flag"] = None
    out["upstream_updated"] = None
    return out


def _labels(
    table: pd.DataFrame, geo_col: str | None, hierarchy: list[str], dataset: str, notes: list[str]
) -> pd.DataFrame:
    """TX_ columns paired with the CD_ column before them (Statbel's layout), plus the geo hierarchy."""
    frames = []
    current_code = None
    for col in table.columns:
        if col.startswith("CD_"):
            current_code = col
            continue
        if not col.startswith("TX_"):
            continue
        if current_code is None:
            notes.append(f"{col} precedes every CD_ column; its labels were left out")
            continue
        lang = LANGS.get(col.rsplit("_", 1)[-1], "und")
        dimension = "geo" if current_code == geo_col else current_code.lower()
        pairs = table[[current_code, col]].drop_duplicates()
        frames.append(_label_frame(dimension, pairs[current_code], lang, pairs[col]))
    for col in hierarchy:
        pairs = table[[geo_col, col]].drop_duplicates()
        frames.append(_label_frame(f"geo.{col.lower()}", pairs[geo_col], HIERARCHY_LANG, pairs[col]))
    if not frames:
        return pd.DataFrame(columns=LABEL_COLUMNS)
    labels = pd.concat(frames, ignore_index=True)
    labels = labels[(labels["code"] != "") & (labels["label"] != "")]
    labels.insert(0, "source", SOURCE)
    labels.insert(1, "dataset", dataset)
    labels = labels.drop_duplicates()[LABEL_COLUMNS]
    return labels.sort_values(["dimension", "code", "lang"], kind="stable").reset_index(drop=True)


def _label_frame(dimension: str, codes: pd.Series, lang: str, labels: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dimension": dimension,
            "code": codes.astype(str).to_numpy(),
            "lang": lang,
            "label": labels.astype(str).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- helpers


def _measure_columns(columns) -> list[str]:
    return [c for c in columns if c.startswith("MS_")]


def _no_measure_problem(columns) -> str:
    cols = list(columns)
    if {"CD_LAU", "CD_LVL"} <= set(cols):
        return (
            f"a reference table (columns {cols}), no MS_ measure column: it has no observations; "
            "read it with pipelines.readers.statbel.read_geo_reference()"
        )
    return f"no MS_ measure column in header {cols}"


def dataset_of(file_name: str) -> str:
    """The dataset a Statbel file belongs to: `TF_SOC_POP_STRUCT_2022.zip` → `tf_soc_pop_struct`."""
    return _split_name(Path(file_name))[0]


def _split_name(path: Path) -> tuple[str, str | None]:
    """`TF_SOC_POP_STRUCT_2022.zip` → (`tf_soc_pop_struct`, `2022`); no suffix → (stem, None)."""
    stem = path.name.split(".", 1)[0]
    match = _NAME_SUFFIX.match(stem)
    if match is None:
        return stem.lower(), None
    return match["base"].lower(), match["stamp"]
