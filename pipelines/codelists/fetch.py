"""Eurostat's SDMX structure API (or SDMX-ML files saved from it) → one publisher labels file
(dimension, code, lang, label, origin, evidence) for the codes the catalogue and the snapshot use.

On a connected machine: `aiplan codelists fetch [--out FILE] [--all-codes]`. For each Eurostat dataset of the
catalogue it asks for the data structure (whose dimensions name their code lists and versions), then for each
code list once; every language Eurostat publishes (EN, FR, DE) is kept. Offline, `--from-dir DIR` reads
SDMX-ML files saved from that API instead (the dimension is the code list's id in lower case, Eurostat's
convention, unless a data structure file in DIR says otherwise).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indicators.catalog import load_indicators
from pipelines.codelists import sdmx_ml
from pipelines.codelists.in_use import codes_in_use
from pipelines.http import Client, FetchError

COLUMNS = ["dimension", "code", "lang", "label", "origin", "evidence"]
OUT = Path(__file__).resolve().with_name("publisher_eurostat.csv")
XML_TYPES = ("application/xml", "text/xml", "application/vnd.sdmx.structure+xml")
ORIGIN = "publisher"


@dataclass(frozen=True)
class Row:
    dimension: str
    code: str
    lang: str
    label: str
    evidence: str


def structure_url(base: str, dataset: str) -> str:
    # Eurostat's data structure of a dataset carries the dataset's code in upper case (isoc_cisce_ra →
    # ESTAT:ISOC_CISCE_RA); 'latest' is the version in force.
    return f"{base}/sdmx/2.1/datastructure/ESTAT/{dataset.upper()}/latest"


def codelist_url(base: str, ref: sdmx_ml.CodelistRef) -> str:
    # The version the data structure names, so that the labels are those of the codes the data use.
    return f"{base}/sdmx/2.1/codelist/{ref.agency}/{ref.id}/{ref.version}"


def _body(data: bytes) -> bytes:
    # Eurostat may gzip without a Content-Encoding header (see pipelines/http.py): sniff the magic bytes.
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _read(client: Client, url: str, parse, what, errors: list[str]):
    """One structure answer parsed by `parse` (body, url), or None with the failure kept in `errors` by name:
    one unreachable or unreadable answer never stops the others."""
    try:
        return parse(_body(client.get(url, expect=XML_TYPES).body), url)
    except (FetchError, sdmx_ml.StructureError) as exc:
        errors.append(f"{what}: {exc}")
        return None


def rows_of(
    names: Iterable[sdmx_ml.Name], dims: dict[sdmx_ml.CodelistRef, set[str]], where: str
) -> list[Row]:
    """Names of codes (and of each code list: the dimension's own name) → rows, one per dimension using it."""
    out = []
    for n in names:
        for dim in sorted(dims.get(n.codelist, ())):
            if n.code is None:
                out.append(Row("dimension", dim, n.lang, n.text, f"{n.codelist} {where}"))
            else:
                out.append(Row(dim, n.code, n.lang, n.text, f"{n.codelist} {where}"))
    return out


def fetch(client: Client, datasets: Iterable[str], base: str) -> tuple[list[Row], list[str]]:
    """Ask the API for each dataset's structure and each code list it names; errors are kept, not raised."""
    uses: dict[sdmx_ml.CodelistRef, set[str]] = {}
    errors: list[str] = []
    for ds in sorted(set(datasets)):
        dims = _read(client, structure_url(base, ds), sdmx_ml.dimensions, ds, errors)
        if dims is None:
            continue
        for dim, ref in dims.items():
            if dim.lower() not in ("time", "time_period"):
                uses.setdefault(ref, set()).add(dim)
    rows: list[Row] = []
    for ref in sorted(uses, key=str):
        url = codelist_url(base, ref)
        names = _read(client, url, sdmx_ml.codelists, ref, errors)
        if names is not None:
            rows += rows_of(names, uses, f"<{url}>")
    return rows, errors


def from_dir(folder: Path, found_in: str | None = None) -> list[Row]:
    """SDMX-ML files saved from the API → rows; `found_in` (a prefix such as `owner/repo@commit:dir/`) says
    where the files were found, for the evidence."""
    files = sorted(folder.glob("*.xml"))
    if not files:
        raise FileNotFoundError(f"{folder}: no SDMX-ML (*.xml) files")
    names: list[sdmx_ml.Name] = []
    uses: dict[sdmx_ml.CodelistRef, set[str]] = {}
    where: dict[sdmx_ml.CodelistRef, str] = {}
    for f in files:
        data = _body(f.read_bytes())
        try:
            for dim, ref in sdmx_ml.dimensions(data, str(f)).items():
                uses.setdefault(ref, set()).add(dim)
            continue  # a data structure file: it names code lists, it has none
        except sdmx_ml.StructureError:
            pass
        found = sdmx_ml.codelists(data, str(f))
        for n in found:
            where[n.codelist] = f"in {found_in}{f.name}" if found_in else f"in {f}"
        names += found
    for ref in where:
        uses.setdefault(ref, set()).add(ref.id.lower())
    rows = []
    for ref, text in where.items():
        rows += rows_of([n for n in names if n.codelist == ref], {ref: uses[ref]}, text)
    return rows


def keep_in_use(rows: list[Row], used: set[tuple[str, str]]) -> list[Row]:
    """Only the codes (and dimension names) a reader of our data can meet: a code list can hold thousands."""
    return [r for r in rows if (r.dimension, r.code) in used]


def write(rows: list[Row], out: Path) -> int:
    # One label per (dimension, code, lang): where two code lists label the same code, the first (by
    # evidence) is kept, so that a rerun writes the same file.
    table = {}
    for r in sorted(rows, key=lambda r: (r.dimension, r.code, r.lang, r.evidence)):
        table.setdefault((r.dimension, r.code, r.lang), r)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in table.values():
            w.writerow([r.dimension, r.code, r.lang, r.label, ORIGIN, r.evidence])
    return len(table)


def eurostat_datasets() -> list[str]:
    return sorted({i.dataset for i in load_indicators() if i.source == "eurostat"})


def run(
    out: Path = OUT,
    *,
    snapshot_dir: Path,
    source_dir: Path | None = None,
    found_in: str | None = None,
    all_codes: bool = False,
    client: Client | None = None,
    base: str | None = None,
) -> tuple[int, list[str]]:
    """Fetch (or read `source_dir`) and write `out`; returns the number of rows written and the errors."""
    if source_dir is not None:
        rows, errors = from_dir(source_dir, found_in), []
    else:
        own = client is None
        client = client or Client()
        try:
            rows, errors = fetch(client, eurostat_datasets(), base or client.settings.eurostat_url)
        finally:
            if own:
                client.close()
    if not all_codes:
        used = {(dim, code) for src, dim, code in codes_in_use(snapshot_dir) if src == "eurostat"}
        rows = keep_in_use(rows, used)
    if not rows:
        errors.append("no code list answered: nothing written")
        return 0, errors
    return write(rows, out), errors
