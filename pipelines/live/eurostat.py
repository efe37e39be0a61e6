"""Catalogue codes → Eurostat API requests (SDMX 3.0 CSV slice, TSV bulk, TOC, dataflow structure, async
polling); Eurostat's answers (TOC, UPDATE_DATA, rejected-code errors, async envelopes) → plain values.

Written by hand because no maintained Python client speaks Eurostat's dissemination API as the recordings show
it (sdmx1 reads SDMX-ML, not the TOC, the `UPDATE_DATA` annotation of the JSON structure answer or the async
SOAP envelope), and each parser here is a few lines over the standard library.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote
from xml.etree import ElementTree

from indicators.model import Indicator
from indicators.vocabulary import EU27
from pipelines.readers.archives import gunzip_if_needed

# SDMX-CSV is asked for; readers detect the format from the content, so a JSON-stat answer reads too.
CSV_TYPES = (
    "text/csv",
    "application/vnd.sdmx.data+csv",
    "application/octet-stream",
    "text/plain",
    "application/json",
)
TSV_TYPES = (
    "application/octet-stream",
    "application/gzip",
    "application/x-gzip",
    "text/tab-separated-values",
    "text/plain",
)
TOC_TYPES = ("text/plain", "text/tab-separated-values", "application/octet-stream")
JSON_TYPES = ("application/json", "application/octet-stream", "text/plain")
# An async answer is XML (a SOAP envelope); it may come where data was expected.
ASYNC_TYPES = ("text/xml", "application/xml", "application/soap+xml")
# Async polling: final states (documented on Eurostat's "API - Asynchronous API" page; ERROR seen in clients).
# Any other state (SUBMITTED, PROCESSING) means: ask again later.
ASYNC_READY = "AVAILABLE"
ASYNC_FINAL_FAILURES = ("EXPIRED", "UNKNOWN_REQUEST", "ERROR")


@dataclass(frozen=True)
class SliceRequest:
    """One dataset and the codes the catalogue needs from it (all EU-27 members and the EU aggregate).

    `members` keeps, per indicator, the codes it selects, so that a code Eurostat rejects is reported against
    the indicators that use it and a failing query can be split into one query per indicator.
    """

    dataset: str
    codes: dict[str, tuple[str, ...]]  # dimension → codes (sorted)
    geos: tuple[str, ...]
    members: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (indicator id, ((dim, code), ...))

    def __hash__(self) -> int:  # dict fields: hash what identifies the request
        return hash(self.fingerprint())

    def fingerprint(self) -> str:
        """What is asked, as a short digest: a changed code, geo or indicator makes a new fingerprint."""
        doc = {"dataset": self.dataset, "codes": self.codes, "geos": self.geos}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def indicators_using(self, dim: str, code: str) -> list[str]:
        return [ind for ind, pairs in self.members if (dim, code) in pairs]


def plan(indicators: Iterable[Indicator]) -> list[SliceRequest]:
    """One filtered query per Eurostat dataset: the union of the codes its indicators select."""
    by_dataset: dict[str, dict[str, set[str]]] = {}
    geos: dict[str, set[str]] = {}
    members: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
    # A Eurostat supplement (the same statistic as another source's record) is fetched like any indicator.
    for ind in (pub for i in indicators for pub in i.publications()):
        if ind.source != "eurostat":
            continue
        dims = by_dataset.setdefault(ind.dataset, {})
        for dim, code in ind.series.items():
            dims.setdefault(dim, set()).add(code)
        extra = set(ind.geos) if ind.geos != "eu27" else set()
        # The EU aggregate the indicator declares, only: a dataset without one would reject EU27_2020.
        geos.setdefault(ind.dataset, set()).update({*EU27, *([ind.eu_geo] if ind.eu_geo else []), *extra})
        members.setdefault(ind.dataset, []).append((ind.id, tuple(sorted(ind.series.items()))))
    return [
        SliceRequest(
            ds,
            {d: tuple(sorted(c)) for d, c in sorted(dims.items())},
            tuple(sorted(geos[ds])),
            tuple(sorted(members[ds])),
        )
        for ds, dims in sorted(by_dataset.items())
    ]


def without(req: SliceRequest, rejected: dict[str, set[str]]) -> SliceRequest | None:
    """The request minus rejected codes (dimension → codes); None when an indicator-bearing dimension or the
    geos would be left empty. Indicators that use a rejected code leave the request."""
    geos = tuple(g for g in req.geos if g not in rejected.get("geo", set()))
    members = tuple(
        (ind, pairs) for ind, pairs in req.members if not any(c in rejected.get(d, set()) for d, c in pairs)
    )
    if not geos or not members:
        return None
    codes: dict[str, set[str]] = {}
    for _, pairs in members:
        for dim, code in pairs:
            codes.setdefault(dim, set()).add(code)
    return replace(req, codes={d: tuple(sorted(c)) for d, c in sorted(codes.items())}, geos=geos,
                   members=members)  # fmt: skip


def restrict(req: SliceRequest, indicators: list[str]) -> SliceRequest:
    """The request for some of its indicators only (their codes, all the geos)."""
    members = tuple(m for m in req.members if m[0] in indicators)
    codes: dict[str, set[str]] = {}
    for _, pairs in members:
        for dim, code in pairs:
            codes.setdefault(dim, set()).add(code)
    return replace(req, codes={d: tuple(sorted(c)) for d, c in sorted(codes.items())}, members=members)


def for_indicator(req: SliceRequest, indicator: str) -> SliceRequest:
    """The one-indicator query the split fallback sends when Eurostat's error names no code."""
    pairs = dict(req.members)[indicator]
    return replace(req, codes={d: (c,) for d, c in sorted(pairs)}, members=((indicator, pairs),))


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


def structure_url(base: str, dataset: str) -> str:
    """The dataflow's structure, whose UPDATE_DATA annotation has the time of day the TOC lacks."""
    return f"{base}/sdmx/3.0/structure/dataflow/ESTAT/{dataset}/1.0/?lang=EN&format=JSON"


def async_status_url(base: str, key: str) -> str:
    return f"{base}/1.0/async/status/{quote(key, safe='')}"


def async_data_url(base: str, key: str) -> str:
    return f"{base}/1.0/async/data/{quote(key, safe='')}"


def parse_toc(body: bytes | str) -> dict[str, str]:
    """Eurostat's table of contents (TSV, maybe gzipped) → {dataset code: "last update of data", ISO date}."""
    if isinstance(body, bytes):
        body = gunzip_if_needed(body, "table of contents").decode("utf-8", errors="replace")
    rows = csv.reader(io.StringIO(body), delimiter="\t")
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


def parse_update_data(body: bytes) -> str | None:
    """The structure answer's UPDATE_DATA annotation → ISO 8601 with a colon in the offset; None if absent."""
    doc = json.loads(gunzip_if_needed(body, "dataflow structure"))
    annotations = (doc.get("extension") or {}).get("annotation") or []
    for a in annotations:
        if isinstance(a, dict) and a.get("type") == "UPDATE_DATA" and a.get("date"):
            return normalise_timestamp(a["date"])
    return None


def normalise_timestamp(text: str) -> str:
    """'2024-06-16T23:00:00+0200' (Eurostat) → '2024-06-16T23:00:00+02:00'; other ISO forms unchanged."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").isoformat()
    except ValueError:
        return text


_NOT_ALLOWED = re.compile(
    r"not allowed:\s*(?P<list>.+?)\s*\.?\s*(?:\(id \d+\))?\s*$", re.IGNORECASE | re.DOTALL
)
_PAIR = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.+?)(?=\s*[;,]\s*[A-Za-z][A-Za-z0-9_]*\s*=|$)", re.DOTALL)


def rejected_codes(message: str) -> dict[str, set[str]]:
    """Eurostat's 400 id 150 label → {dimension (lower case): codes}; {} when it names none.

    Recorded: "… The following values for dimension are not allowed: GEO=EUROVISION." Several values of a
    dimension are read comma-separated, several dimensions separated by ',' or ';'.
    """
    m = _NOT_ALLOWED.search(message.split(" (id ", 1)[0].split(" (http", 1)[0])
    if not m:
        return {}
    out: dict[str, set[str]] = {}
    for dim, values in _PAIR.findall(m["list"].rstrip(".")):
        codes = {v.strip().strip(".").strip() for v in values.split(",")}
        out.setdefault(dim.lower(), set()).update(c for c in codes if c)
    return out


def match_rejected(req: SliceRequest, rejected: dict[str, set[str]]) -> dict[str, set[str]]:
    """Map the codes Eurostat names (upper case dimension ids, maybe other case) onto the request's codes."""
    asked = {**{d: set(c) for d, c in req.codes.items()}, "geo": set(req.geos)}
    out: dict[str, set[str]] = {}
    for dim, codes in rejected.items():
        ours = asked.get(dim.lower())
        if not ours:
            continue
        by_upper = {c.upper(): c for c in ours}
        hit = {by_upper[c.upper()] for c in codes if c.upper() in by_upper}
        if hit:
            out[dim.lower()] = hit
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_async(body: bytes) -> tuple[str | None, str | None] | None:
    """An async answer (SOAP envelope) → (key, status); None when the body is not one.

    Shapes as Eurostat's "API - Asynchronous API" page describes them and clients read them: the first answer
    holds `queued/id` (and `queued/status`), a status answer `status/status` and maybe `status/key`;
    namespaces vary and are ignored.
    """
    head = body[:512].lstrip()
    if not head.startswith(b"<") or b"Envelope" not in body[:2048]:
        return None
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    key = status = None
    for el in root.iter():
        name = _local(el.tag)
        text = (el.text or "").strip()
        if not text:
            continue
        if name in ("id", "key") and key is None:
            key = text
        elif name == "status":
            status = text.upper()
    if key is None and status is None:
        return None
    return key, status
