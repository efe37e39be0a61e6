"""Real payloads + faults a test sets → an HTTP server on 127.0.0.1 answering like Eurostat, DESI, Statbel."""

from __future__ import annotations

import gzip
import io
import json
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pandas as pd

from tests.upstream.payloads import RawFiles, load, split_series_keys

SDMX_CSV_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_UPDATED = date(2026, 2, 27)

# kind → what the server does instead of the normal answer
FAULTS = {
    "connect_timeout": "307 to a port whose accept queue is full, so the SYN is never answered",
    "read_timeout": "wait `delay` seconds before answering (longer than the client's read timeout)",
    "slow_body": "headers and half the body, then wait `delay` seconds before the rest",
    "server_error": "500 with a JSON error body",
    "unavailable": "503 with Retry-After: `retry_after`; use `times` to answer normally afterwards",
    "rate_limited": "429 with a JSON error body (no Retry-After, so the client's backoff applies)",
    "bad_request": "400 INVALID_QUERY_DIMENSION (Eurostat's JSON error body)",
    "not_found": "404 No results found (Eurostat's JSON error body)",
    "too_big": "413 EXTRACTION_TOO_BIG (Eurostat's SOAP fault body)",
    "html": "200 with an HTML maintenance page",
    "truncated": "Content-Length of the whole answer, half of it sent, then the connection closed",
    "corrupt_gzip": "Content-Encoding: gzip with a gzip header followed by garbage",
    "empty": "200 with the SDMX-CSV header only (no rows)",
    "missing_column": "200 with the normal rows minus the OBS_VALUE column",
    "redirect": "307 to `location`",
}


@dataclass
class Fault:
    kind: str
    times: int | None = None  # misbehave for the first `times` requests only; None = always
    delay: float = 2.0  # read_timeout, slow_body
    retry_after: int = 1  # unavailable
    location: str = ""  # redirect
    hits: int = 0


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    path: str  # path and query
    route: str  # toc | slice | bulk | desi | statbel | unknown
    dataset: str | None
    status: int | None  # None while the answer is not sent yet (e.g. a read_timeout still waiting)
    bytes: int  # body bytes written
    fault: str | None


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declared: int | None = None  # Content-Length to announce when not len(body)


def eurostat_error(status: int, error_id: int, label: str) -> _Answer:
    """Eurostat's JSON error body: {"error": [{"status", "id", "label"}]}."""
    body = json.dumps({"error": [{"status": status, "id": error_id, "label": label}]}).encode()
    return _Answer(status, body, {"Content-Type": "application/json"})


class FakeUpstream:
    """The server, its state (TOC dates, revised values, faults) and its request log.

    Routes (base URLs are http://127.0.0.1:PORT/eurostat, /desi, /statbel):

    * ``/eurostat/catalogue/toc/txt?lang=en``: the table of contents (TSV, quoted, dd.mm.yyyy dates) of every
      dataset the server knows, with last-update dates a test can change (``set_updated``, ``revise``).
    * ``/eurostat/sdmx/3.0/data/dataflow/ESTAT/{dataset}/1.0/*?c[dim]=a,b&c[geo]=..&format=csvdata``: the rows
      of the real payload matching every filter, as SDMX-CSV 2.0 with codes; unknown datasets → 404 with
      Eurostat's JSON error body.
    * ``/eurostat/sdmx/2.1/data/{dataset}?format=TSV&compressed=true``: the real bulk file, gzipped.
    * ``/desi/<any path>``: the real DESI workbook; ``/statbel/<path>/<file>``: the real Statbel file so named
      (``files`` replaces either by other bytes).

    Faults (``set_fault(key, kind)``; key = dataset code, ``"toc"``, ``"desi"`` or ``"statbel"``) are
    listed in FAULTS. Every request is logged on arrival (``log``: path, route, dataset, status, body
    bytes sent, fault).
    """

    def __init__(self, raw_dir: Path):
        self.raw: RawFiles = load(Path(raw_dir))
        self.gzip_responses = False  # Content-Encoding: gzip when the client accepts it
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._blackhole: list[socket.socket] = []
        self.reset()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.upstream = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-upstream", daemon=True)

    # ------------------------------------------------------------------ life cycle and test controls

    def start(self) -> FakeUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases handlers sleeping in read_timeout or slow_body
        self._server.shutdown()
        self._server.server_close()
        for s in self._blackhole:
            s.close()

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.port}/{prefix}"

    def env(self) -> dict[str, str]:
        """The AIPLAN_*_URL variables that point the pipeline at this server."""
        return {
            "AIPLAN_EUROSTAT_URL": self.url("eurostat"),
            "AIPLAN_DESI_URL": self.url("desi"),
            "AIPLAN_STATBEL_URL": self.url("statbel"),
        }

    def reset(self) -> None:
        """Forget faults, revisions, date changes and the request log."""
        with self._lock:
            self.faults: dict[str, Fault] = {}
            self.log.clear()
            self._revised: dict[str, pd.DataFrame] = {}
            # DESI/Statbel file name → bytes served instead of the real file
            self.files: dict[str, bytes] = {}
            self.updated = {code: _default_updated(ds.result.upstream_updated)
                            for code, ds in self.raw.eurostat.items()}  # fmt: skip

    def set_fault(self, key: str, kind: str, **options) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self.faults[key] = Fault(kind, **options)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def set_updated(self, dataset: str, day: date | str) -> None:
        """The "last update of data" the TOC shows for `dataset`."""
        self.updated[dataset] = date.fromisoformat(day) if isinstance(day, str) else day

    def revise(self, dataset: str, series: dict[str, str], geo: str, period: str, value: float,
               updated: date | str) -> float:  # fmt: skip
        """Change one value of `dataset` and its TOC date, like an upstream revision; return the old value."""
        with self._lock:
            obs = self._revised.get(dataset)
            obs = (obs if obs is not None else self.raw.eurostat[dataset].observations).copy()
            dims = self.raw.eurostat[dataset].dims
            hit = (obs["geo"] == geo) & (obs["period"] == period)
            for dim, code in series.items():
                hit &= dims[dim] == code
            if hit.sum() != 1:
                raise ValueError(f"{dataset} {series} {geo} {period}: {int(hit.sum())} rows, expected 1")
            old = float(obs.loc[hit, "value"].iloc[0])
            obs.loc[hit, "value"] = float(value)
            self._revised[dataset] = obs
        self.set_updated(dataset, updated)
        return old

    def requests(self, *, dataset: str | None = None, route: str | None = None) -> list[Request]:
        """The log once every request in it is answered (a client may have the body before the log has)."""
        self.wait_idle()
        with self._lock:
            return [
                r for r in self.log
                if (dataset is None or r.dataset == dataset) and (route is None or r.route == route)
            ]  # fmt: skip

    def bytes_sent(self) -> int:
        return sum(r.bytes for r in self.requests())

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every logged request has been answered (e.g. handlers sleeping in read_timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(r.status is not None for r in self.log):
                    return
            time.sleep(0.01)

    # ------------------------------------------------------------------ request handling

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        path = unquote(url.path)
        route, dataset, answer = self._route(path, url.query)
        key = dataset or route
        with self._lock:
            fault = self.faults.get(key)
            if fault is not None and fault.times is not None and fault.hits >= fault.times:
                fault = None
            if fault is not None:
                fault.hits += 1
        kind = fault.kind if fault else None
        arrived = Request(h.path, route, dataset, None, 0, kind)
        with self._lock:  # logged on arrival, so attempts still waiting count too
            self.log.append(arrived)
        if fault is not None:
            answer = self._misbehave(fault, answer, h, route)
        if "gzip" in h.headers.get("Accept-Encoding", "") and self.gzip_responses and answer.status == 200:
            if "Content-Encoding" not in answer.headers and route == "slice":
                answer.body = gzip.compress(answer.body, mtime=0)
                answer.headers["Content-Encoding"] = "gzip"
        pause = fault.delay if kind == "slow_body" else None
        sent = self._send(h, answer, truncate=kind == "truncated", pause=pause)
        with self._lock:
            for i in range(len(self.log) - 1, -1, -1):  # reset() may have cleared it meanwhile
                if self.log[i] is arrived:
                    self.log[i] = Request(h.path, route, dataset, answer.status, sent, kind)
                    break

    def _route(self, path: str, query: str) -> tuple[str, str | None, _Answer]:
        if path == "/eurostat/catalogue/toc/txt":
            return (
                "toc",
                None,
                _Answer(200, self.toc().encode(), {"Content-Type": "text/plain; charset=utf-8"}),
            )
        m = re.fullmatch(r"/eurostat/sdmx/3\.0/data/dataflow/ESTAT/([^/]+)/1\.0/[^/]*", path)
        if m:
            dataset = m.group(1).lower()
            return "slice", dataset, self._slice(dataset, query)
        m = re.fullmatch(r"/eurostat/sdmx/2\.1/data/([^/?]+)", path)
        if m:
            dataset = m.group(1).lower()
            return "bulk", dataset, self._bulk(dataset)
        if path.startswith("/desi/") and self.raw.desi is not None:
            body = self.files.get(self.raw.desi.name) or self.raw.desi.read_bytes()
            return "desi", None, _Answer(200, body, {"Content-Type": XLSX_TYPE})
        if path.startswith("/statbel/"):
            name = path.rsplit("/", 1)[-1]
            f = self.raw.statbel.get(name)
            if f is None:
                return "statbel", None, _Answer(404, b"<html><body>Page not found</body></html>",
                                                {"Content-Type": "text/html"})  # fmt: skip
            ctype = "application/zip" if f.suffix == ".zip" else XLSX_TYPE
            return (
                "statbel",
                None,
                _Answer(200, self.files.get(name) or f.read_bytes(), {"Content-Type": ctype}),
            )
        return "unknown", None, _Answer(404, b"not found", {"Content-Type": "text/plain"})

    def toc(self) -> str:
        """Eurostat's table of contents layout: quoted TSV, folders and datasets, dd.mm.yyyy dates."""
        lines = ['"title"\t"code"\t"type"\t"last update of data"\t"last table structure change"\t'
                 '"data start"\t"data end"',
                 _toc_row("Database by themes", "data", "folder", None, "", ""),
                 _toc_row("    Statistics by theme", "theme", "folder", None, "", "")]  # fmt: skip
        for code in sorted(self.raw.eurostat):
            ds = self.raw.eurostat[code]
            periods = ds.observations["period"]
            title = "        " + (ds.result.title or code)
            lines.append(
                _toc_row(title, code, "dataset", self.updated[code], periods.min()[:4], periods.max()[:4])
            )
        # A dataset sits under several folders in the real TOC: list the first one twice.
        lines.append(lines[3].replace('"        ', '"            ', 1))
        return "\n".join(lines) + "\n"

    def observations(self, dataset: str) -> pd.DataFrame:
        revised = self._revised.get(dataset)
        return revised if revised is not None else self.raw.eurostat[dataset].observations

    def _slice(self, dataset: str, query: str) -> _Answer:
        params = parse_qsl(query, keep_blank_values=True)
        options = {k: v for k, v in params if not k.startswith("c[")}
        if options.get("format", "csvdata") != "csvdata":
            return eurostat_error(406, 140, f"NOT_ACCEPTABLE: format {options['format']!r}")
        if dataset not in self.raw.eurostat:
            return eurostat_error(404, 100, "No results found")
        filters = {}
        for k, v in params:
            m = re.fullmatch(r"c\[([^\]]+)\]", k)
            if m:
                filters[m.group(1)] = tuple(sorted(v.split(",")))
        revised = dataset in self._revised
        try:
            body = slice_csv(self.raw, dataset, tuple(sorted(filters.items())), self.observations(dataset)
                             if revised else None)  # fmt: skip
        except KeyError as exc:
            return eurostat_error(400, 150, f"INVALID_QUERY_DIMENSION: {exc.args[0]} is not a dimension")
        if body is None:
            return eurostat_error(404, 100, "No results found")
        return _Answer(200, body, {"Content-Type": SDMX_CSV_TYPE})

    def _bulk(self, dataset: str) -> _Answer:
        ds = self.raw.eurostat.get(dataset)
        if ds is None:
            return eurostat_error(404, 100, "No results found")
        body = None if dataset in self._revised else ds.bulk_tsv_gz()
        if body is None:
            body = gzip.compress(tsv_text(self.observations(dataset)).encode(), mtime=0)
        headers = {"Content-Type": "application/octet-stream",
                   "Content-Disposition": f'attachment; filename="estat_{dataset}.tsv.gz"'}  # fmt: skip
        return _Answer(200, body, headers)

    def _misbehave(self, fault: Fault, normal: _Answer, h: BaseHTTPRequestHandler, route: str) -> _Answer:
        kind = fault.kind
        if kind in _FIXED_ANSWERS:
            return _FIXED_ANSWERS[kind](fault)
        if kind == "connect_timeout":
            return _Answer(307, b"", {"Location": f"http://127.0.0.1:{self.blackhole_port()}{h.path}"})
        if kind == "read_timeout":
            self._stop.wait(fault.delay)
            return normal
        if kind in ("truncated", "slow_body"):
            return normal  # _send cuts it or pauses it
        if route != "slice":
            raise ValueError(f"fault {kind!r} applies to SDMX-CSV slices only, not {route}")
        text = normal.body.decode()
        if kind == "empty":
            return _Answer(200, text.split("\n", 1)[0].encode() + b"\n", {"Content-Type": SDMX_CSV_TYPE})
        # missing_column
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        body = table.drop(columns=["OBS_VALUE"]).to_csv(index=False, lineterminator="\n").encode()
        return _Answer(200, body, {"Content-Type": SDMX_CSV_TYPE})

    def _send(self, h: BaseHTTPRequestHandler, answer: _Answer, *, truncate: bool, pause: float | None,
              ) -> int:  # fmt: skip
        body = answer.body
        h.send_response(answer.status)
        for name, value in answer.headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(answer.declared or len(body)))
        h.end_headers()
        h.close_connection = True
        half = len(body) // 2
        parts = [body[:half]] if truncate else [body[:half], body[half:]] if pause else [body]
        sent = 0
        try:
            for i, part in enumerate(parts):
                if i and pause:
                    self._stop.wait(pause)
                h.wfile.write(part)
                h.wfile.flush()
                sent += len(part)
        except OSError:  # the client gave up (read timeout)
            pass
        return sent

    def blackhole_port(self) -> int:
        """A listening socket with backlog 0 whose accept queue is full: new SYNs get no answer."""
        with self._lock:
            if not self._blackhole:
                listener = socket.socket()
                listener.bind(("127.0.0.1", 0))
                listener.listen(0)
                self._blackhole.append(listener)
                for _ in range(8):  # connect until one connection stays pending
                    probe = socket.socket()
                    probe.setblocking(False)
                    probe.connect_ex(listener.getsockname())
                    self._blackhole.append(probe)
                    _, writable, _ = select.select([], [probe], [], 0.2)
                    if not writable:
                        break
            return self._blackhole[0].getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeEurostat/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            self.server.upstream.handle(self)  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


# ---------------------------------------------------------------- fixed fault answers


def _unavailable(fault: Fault) -> _Answer:
    answer = eurostat_error(503, 503, "Service Unavailable")
    answer.headers["Retry-After"] = str(fault.retry_after)
    return answer


def _too_big(fault: Fault) -> _Answer:
    body = ('<S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>413</faultcode>'
            "<faultstring>EXTRACTION_TOO_BIG: The requested extraction is too big, estimated 420709314 rows, "
            "max authorised is 5000000, please change your filters to reduce the extraction size"
            "</faultstring></S:Fault>")  # fmt: skip
    return _Answer(413, body.encode(), {"Content-Type": "text/xml"})


def _html(fault: Fault) -> _Answer:
    body = (b"<!DOCTYPE html>\n<html><head><title>Eurostat - Service maintenance</title></head>"
            b"<body><h1>The service is temporarily unavailable</h1></body></html>")  # fmt: skip
    return _Answer(200, body, {"Content-Type": "text/html; charset=utf-8"})


def _corrupt_gzip(fault: Fault) -> _Answer:
    garbage = bytes((i * 37 + 11) % 256 for i in range(4096))
    body = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + garbage
    return _Answer(200, body, {"Content-Type": SDMX_CSV_TYPE, "Content-Encoding": "gzip"})


_FIXED_ANSWERS = {
    "server_error": lambda f: eurostat_error(500, 500, "Internal Server Error"),
    "unavailable": _unavailable,
    "rate_limited": lambda f: eurostat_error(429, 429, "Too Many Requests"),
    "bad_request": lambda f: eurostat_error(
        400, 150, "INVALID_QUERY_DIMENSION: Dimension 'nrg_bal' has no code 'RENX'"
    ),
    "not_found": lambda f: eurostat_error(404, 100, "No results found"),
    "too_big": _too_big,
    "html": _html,
    "corrupt_gzip": _corrupt_gzip,
    "redirect": lambda f: _Answer(307, b"", {"Location": f.location}),
}


# ---------------------------------------------------------------- payload rendering


def _default_updated(iso: str | None) -> date:
    return date.fromisoformat(iso[:10]) if iso else DEFAULT_UPDATED


def _toc_row(title: str, code: str, kind: str, updated: date | None, start: str, end: str) -> str:
    day = updated.strftime("%d.%m.%Y") if updated else " "
    cells = (title, code, kind, day, day, start or " ", end or " ")
    return "\t".join(f'"{c}"' for c in cells)


_SLICES: dict[tuple, bytes | None] = {}


def slice_csv(raw: RawFiles, dataset: str, filters: tuple, revised: pd.DataFrame | None) -> bytes | None:
    """SDMX-CSV 2.0 (codes) of the rows matching every filter; None when none match.

    Raises KeyError naming a filtered dimension the dataset does not have.
    """
    key = (raw.root, dataset, filters)
    if revised is None and key in _SLICES:
        return _SLICES[key]
    ds = raw.eurostat[dataset]
    obs = revised if revised is not None else ds.observations
    dims = ds.dims
    keep = pd.Series(True, index=obs.index)
    for dim, codes in filters:
        if dim == "geo":
            keep &= obs["geo"].isin(codes)
        elif dim in dims.columns:
            keep &= dims[dim].isin(codes)
        else:
            raise KeyError(dim)
    body = sdmx_csv(dataset, obs[keep], dims[keep]) if keep.any() else None
    if revised is None:
        _SLICES[key] = body
    return body


def sdmx_csv(dataset: str, obs: pd.DataFrame, dims: pd.DataFrame) -> bytes:
    """Observations → SDMX-CSV 2.0 with codes, Eurostat's column order."""
    names = sorted(dims.columns, key=lambda d: (d != "freq", d))
    out = pd.DataFrame(
        {
            "STRUCTURE": "dataflow",
            "STRUCTURE_ID": f"ESTAT:{dataset.upper()}(1.0)",
            "ACTION": "I",
            **{d: dims[d].to_numpy() for d in names},
            "geo": obs["geo"].to_numpy(),
            "TIME_PERIOD": obs["period"].to_numpy(),
            "OBS_VALUE": [_number(v) for v in obs["value"]],
            "OBS_FLAG": obs["obs_flag"].fillna("").to_numpy(),
            "CONF_STATUS": obs["conf_flag"].fillna("").to_numpy(),
        }
    )
    return out.to_csv(index=False, lineterminator="\n").encode()


def tsv_text(obs: pd.DataFrame) -> str:
    """Observations → Eurostat bulk TSV (`freq,dim,...,geo\\TIME_PERIOD`, cells 'value flags' or ':')."""
    dims = split_series_keys(obs["series_key"])
    names = sorted(dims.columns, key=lambda d: (d != "freq", d))
    row_key = dims[names].astype(str).agg(",".join, axis=1) + "," + obs["geo"].to_numpy()
    flags = obs["obs_flag"].fillna("") + obs["conf_flag"].fillna("").str.lower()
    cell = [(_number(v) or ":") + (f" {f}" if f else "") for v, f in zip(obs["value"], flags, strict=True)]
    table = pd.DataFrame({"key": row_key.to_numpy(), "period": obs["period"].to_numpy(), "cell": cell})
    wide = table.pivot(index="key", columns="period", values="cell").fillna(":")
    header = ",".join(names) + ",geo\\TIME_PERIOD\t" + "\t".join(f"{p} " for p in wide.columns)
    rows = [
        k + "\t" + "\t".join(f"{c} " for c in cells)
        for k, cells in zip(wide.index, wide.to_numpy(), strict=True)
    ]
    return header + "\n" + "\n".join(rows) + "\n"


def _number(v: float) -> str:
    return "" if pd.isna(v) else repr(float(v))


def serve(raw_dir: Path) -> FakeUpstream:
    """Start a fake upstream on a free port (stop it with .stop(), or use it as a context manager)."""
    return FakeUpstream(raw_dir).start()
