"""Catalogue codes → Eurostat API URLs (SDMX 3.0 CSV slice, TSV bulk, TOC); TOC → last update per dataset."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from indicators.assess import EU27
from indicators.model import Indicator

CSV_TYPES = ("text/csv", "application/vnd.sdmx.data+csv", "application/octet-stream", "text/plain")
TSV_TYPES = (
    "application/octet-stream",
    "application/gzip",
    "application/x-gzip",
    "text/tab-separated-values",
)
TSV_TYPES += ("text/plain",)
TOC_TYPES = ("text/plain", "text/tab-separated-values", "application/octet-stream")


@dataclass(frozen=True)
class SliceRequest:
    """One dataset and the codes the catalogue needs from it (all EU-27 members and the EU aggregate)."""

    dataset: str
    codes: dict[str, tuple[str, ...]]  # dimension → codes (sorted)
    geos: tuple[str, ...]


def plan(indicators: Iterable[Indicator]) -> list[SliceRequest]:
    """One filtered query per Eurostat dataset: the union of the codes its indicators select."""
    by_dataset: dict[str, dict[str, set[str]]] = {}
    geos: dict[str, set[str]] = {}
    for ind in indicators:
        if ind.source != "eurostat":
            continue
        dims = by_dataset.setdefault(ind.dataset, {})
        for dim, code in ind.series.items():
            dims.setdefault(dim, set()).add(code)
        extra = set(ind.geos) if ind.geos != "eu27" else set()
        geos.setdefault(ind.dataset, set()).update({*EU27, ind.eu_geo, "EU27_2020", *extra})
    return [
        SliceRequest(ds, {d: tuple(sorted(c)) for d, c in sorted(dims.items())}, tuple(sorted(geos[ds])))
        for ds, dims in sorted(by_dataset.items())
    ]


def slice_url(base: str, req: SliceRequest) -> str:
    """SDMX 3.0 data query, named filters (order-free), SDMX-CSV 2.0, uncompressed."""
    filters = [f"c[{d}]={','.join(c)}" for d, c in req.codes.items()]
    filters.append(f"c[geo]={','.join(req.geos)}")
    params = "&".join(quote(f, safe="[]=,:") for f in filters)
    return (
        f"{base}/sdmx/3.0/data/dataflow/ESTAT/{req.dataset}/1.0/*?{params}"
        "&format=csvdata&formatVersion=2.0&compress=false"
    )


def bulk_url(base: str, dataset: str) -> str:
    """The whole dataset as gzipped TSV (SDMX 2.1 route), for when an analyst asks for everything."""
    return f"{base}/sdmx/2.1/data/{dataset}?format=TSV&compressed=true"


def toc_url(base: str) -> str:
    return f"{base}/catalogue/toc/txt?lang=en"


def parse_toc(text: str) -> dict[str, str]:
    """Eurostat's table of contents (TSV) → {dataset code: "last update of data" as ISO date}."""
    rows = csv.reader(io.StringIO(text), delimiter="\t")
    header = [h.strip().strip('"').lower() for h in next(rows, [])]
    try:
        code_col, update_col = header.index("code"), header.index("last update of data")
    except ValueError as exc:
        raise ValueError(f"not a Eurostat table of contents: header {header[:8]}") from exc
    out = {}
    for row in rows:
        if len(row) <= max(code_col, update_col):
            continue
        code, updated = row[code_col].strip().lower(), row[update_col].strip()
        if code and updated:
            out[code] = _iso_date(updated)
    return out


def _iso_date(text: str) -> str:
    """'27.02.2026' (Eurostat's TOC) → '2026-02-27'; ISO dates pass through."""
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text[:10], fmt).date().isoformat()
        except ValueError:
            continue
    return text
