"""Real payloads and recorded answers → an HTTP server on 127.0.0.1 answering as Eurostat, DESI, Statbel do.

What it serves is never our own readers' output: data bodies are the real files of ../shared/data/raw cut
by the byte-exact rules of `real_bytes`; the table of contents is the real recorded one; error bodies,
structure answers and any request the Commission's importer made are the recorded answers themselves
(`recordings`). Transport is as recorded: data answers chunked, without Content-Length, and gzipped without
a Content-Encoding header when the client accepts gzip (`gzip="when_asked"`, Eurostat's behaviour) or
always (`gzip="always"`, a proxy that ignores `identity`).

Routes (base URLs http://127.0.0.1:PORT/eurostat, /desi, /statbel):

* `/eurostat/catalogue/toc/txt`: the recorded TOC; `set_updated(dataset, day)` edits the "last update of
  data" field of that dataset's lines, nothing else.
* `/eurostat/sdmx/3.0/data/dataflow/ESTAT/{ds}/1.0/*?c[dim]=…`: the real file cut by the query; a code the
  real files do not have (or one `withdraw`n by a test) → 400 id 150 in the recorded wording; a dimension
  the dataset does not have → 400 id 140 in the recorded wording; a dataset ../shared has no file of → 404.
* `/eurostat/sdmx/2.1/data/{ds}?format=TSV&compressed=true`: the real TSV, gzipped as it lies on disk.
* `/eurostat/sdmx/3.0/structure/dataflow/ESTAT/{ds}/1.0/`: a recorded structure answer a test assigned
  (`structures[ds]`), else the recording made for that dataset, else, for a dataset ../shared has files of,
  the recorded isoc_ci_cm_h structure answer with its UPDATE_DATA date replaced by the dataset's update time
  (`set_updated`, else the date its real file states, else 2026-02-27 11:00); 404 for any other.
* `/eurostat/1.0/async/status/{key}`, `/eurostat/1.0/async/data/{key}`: the asynchronous API, for queries a
  test made asynchronous (`make_async`); envelopes in the shape Eurostat's "API - Asynchronous API" page
  documents (synthetic keys, since no async answer was recorded).
* Any other path equal to a recorded request's: that recorded answer, byte for byte.
* `/desi/api/v1/facts/?indicator=…`: the real DESI facts file holding that KPI (the platform's records,
  whole); `/desi/<path>`: the DESI 2022 workbook; `/statbel/<path>/<file>`: the real Statbel file.

Faults (`set_fault(key, kind)`) are listed in FAULTS. A key is a dataset code (its data answers: slice, bulk,
async), "route:dataset" (e.g. "structure:nrg_ind_ren"), a route ("toc", "structure", "desi", "statbel"), or
"*" (every request: a dead upstream). Every request is logged (`requests()`).
"""

from __future__ import annotations

import gzip
import json
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.upstream import real_bytes, recordings

SDMX_CSV_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHARED = Path(__file__).resolve().parents[3] / "shared"

# Recorded wordings (TestImporterErrors.test_invalid_filter_value / _key): only the code names change.
INVALID_VALUE = (
    "INVALID_QUERY_DIMENSION_VALUE: Query is invalid as per its structure's definition. "
    "The following values for dimension are not allowed: {dims}."
)
INVALID_KEY = (
    "INVALID_URL_PARAMETER_DIMENSION: Invalid dimension parameter. "
    "The parameter {dim} is not a valid dimension for the dataset {dataset}."
)

# kind → what the server does instead of the normal answer
FAULTS = {
    "connect_timeout": "307 to a port whose accept queue is full, so the SYN is never answered",
    "read_timeout": "wait `delay` seconds before answering (longer than the client's read timeout)",
    "slow_body": "headers and half the body, then wait `delay` seconds before the rest",
    "server_error": "500 with a JSON error body",
    "unavailable": "503 with Retry-After: `retry_after`; use `times` to answer normally afterwards",
    "rate_limited": "429 with a JSON error body (no Retry-After, so the client's backoff applies)",
    "bad_request": "the recorded 400 id 150 answer (GEO=EUROVISION), whatever was asked",
    "not_found": "404 No results found (Eurostat's JSON error body)",
    "too_big": "413 EXTRACTION_TOO_BIG (the SOAP fault Eurostat's Asynchronous API page shows)",
    "html": "200 with an HTML maintenance page",
    "maintenance": "302 to Eurostat's maintenance host (sorry.ec.europa.eu)",
    "truncated": "chunked body cut after half, the connection closed without the last chunk",
    "truncated_length": "Content-Length of the whole answer, half of it sent, then the connection closed",
    "corrupt_gzip": "gzip magic and header followed by garbage (no Content-Encoding)",
    "empty": "200 with the real header line and no data line",
    "missing_column": "200 with the real lines minus their OBS_VALUE field",
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


@dataclass
class AsyncJob:
    """A query a test made asynchronous: `statuses` answer the status polls in turn (the last repeats)."""

    statuses: list[str]
    key: str = ""
    polls: int = 0
    ready: bool = False  # a status poll answered AVAILABLE
    answer: _Answer | None = None


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    path: str  # path and query
    route: str  # toc | slice | bulk | structure | async | recorded | desi | statbel | unknown
    dataset: str | None
    status: int | None  # None while the answer is not sent yet (e.g. a read_timeout still waiting)
    bytes: int  # body bytes written
    fault: str | None
    accept_encoding: str = ""


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # data answers: Transfer-Encoding: chunked, no Content-Length (as recorded)
    data: bool = False  # a data body Eurostat would gzip without saying so


def eurostat_error(status: int, error_id: int, label: str) -> _Answer:
    """Eurostat's JSON error body, in the recorded layout: { "error": [{"status": …,"id": …,"label": …}]}."""
    body = f'{{ "error": [{{"status": {status},"id": {error_id},"label": {json.dumps(label)}}}]}}'.encode()
    return _Answer(status, body, {"Content-Type": "application/json"})


class LocalUpstream:
    """The server, its state (TOC edits, value edits, faults, async jobs) and its request log."""

    def __init__(self, raw_dir: Path, recordings_dir: Path | None = None):
        self.raw_dir = Path(raw_dir)
        self.eurostat = real_bytes.index(self.raw_dir)
        rec = Path(recordings_dir) if recordings_dir else self.raw_dir.parent / "recordings"
        self.recordings_dir = rec
        self.recorded = recordings.load(rec / "eurostat_sdmx3") if (rec / "eurostat_sdmx3").is_dir() else ()
        self.toc_bytes = (rec / "eurostat_toc" / "table_of_contents_en.txt").read_bytes()
        self.desi_files = sorted((self.raw_dir / "desi").glob("*.json"))
        self.desi_workbook = next(iter(sorted((self.raw_dir / "desi").glob("*.xlsx"))), None)
        self.statbel = {f.name: f for f in sorted((self.raw_dir / "statbel").glob("*")) if f.is_file()}
        self.gzip = "when_asked"  # never | when_asked | always
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._blackhole: list[socket.socket] = []
        self.reset()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.upstream = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-upstream", daemon=True)

    # ------------------------------------------------------------------ life cycle and test controls

    def start(self) -> LocalUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases handlers sleeping in read_timeout or slow_body
        self._server.shutdown()
        self._server.server_close()
        for s in self._blackhole:
            s.close()

    def __enter__(self) -> LocalUpstream:
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
        """Forget faults, edits, withdrawn codes, async jobs, TOC dates and the request log."""
        with self._lock:
            self.faults: dict[str, Fault] = {}
            self.log.clear()
            self.edits: dict[Path, dict[int, str]] = {}  # file → {line number: edited line}
            self.withdrawn: dict[str, dict[str, set[str]]] = {}
            self.toc_dates: dict[str, date] = {}
            self.update_times: dict[str, str] = {}  # dataset → UPDATE_DATA as Eurostat writes it
            self.structures: dict[str, recordings.Interaction] = {}
            self.asyncs: dict[str, AsyncJob] = {}  # dataset → job
            self.files: dict[str, bytes] = {}  # DESI/Statbel file name → bytes served instead
            self.gzip = "when_asked"

    def set_fault(self, key: str, kind: str, **options) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self.faults[key] = Fault(kind, **options)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def set_updated(self, dataset: str, when: date | str) -> None:
        """When `dataset` was last updated: the TOC's "last update of data" field (the day) and the structure
        answer's UPDATE_DATA (the time; 11:00 Brussels when only a day is given)."""
        text = when.isoformat() if isinstance(when, date) else when
        self.toc_dates[dataset] = date.fromisoformat(text[:10])
        self.update_times[dataset] = text if "T" in text else f"{text}T11:00:00+0100"

    def withdraw(self, dataset: str, dim: str, code: str) -> None:
        """From now on Eurostat refuses `code` for `dim` (as when it withdraws a code from a code list)."""
        self.withdrawn.setdefault(dataset, {}).setdefault(dim, set()).add(code)

    def make_async(self, dataset: str, *statuses: str) -> str:
        """The next slice query of `dataset` is queued; status polls answer `statuses` in turn."""
        key = f"{dataset}-{len(self.log):04d}-0000-test-key"
        self.asyncs[dataset] = AsyncJob(list(statuses) or ["AVAILABLE"], key)
        return key

    def revise(
        self, dataset: str, match: dict[str, str], value: str, updated: date | str | None = None
    ) -> str:
        """Edit one value of `dataset`'s answer file and its update time (default: now), like a revision.

        `match` names the line (dimension columns, geo, TIME_PERIOD); returns the old value text.
        """
        if updated is None:
            updated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        file = self.eurostat[dataset].answer_file()
        line_no, new_line, old = real_bytes.line_edit(file, match, value)
        with self._lock:
            self.edits.setdefault(file.path, {})[line_no] = new_line
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
        route, dataset, answer = self._route(path, url.query, h.path)
        with self._lock:
            fault = self._fault_for(route, dataset)
            if fault is not None and fault.times is not None and fault.hits >= fault.times:
                fault = None
            if fault is not None:
                fault.hits += 1
        kind = fault.kind if fault else None
        accept = h.headers.get("Accept-Encoding", "")
        arrived = Request(h.path, route, dataset, None, 0, kind, accept)
        with self._lock:  # logged on arrival, so attempts still waiting count too
            self.log.append(arrived)
        if fault is not None:
            answer = self._misbehave(fault, answer, h)
        if answer.data and answer.status == 200 and self._gzips(accept):
            answer.body = gzip.compress(answer.body, mtime=0)  # and no Content-Encoding, as Eurostat does
        pause = fault.delay if kind == "slow_body" else None
        sent = self._send(h, answer, cut=kind, pause=pause)
        with self._lock:
            for i in range(len(self.log) - 1, -1, -1):  # reset() may have cleared it meanwhile
                if self.log[i] is arrived:
                    self.log[i] = Request(h.path, route, dataset, answer.status, sent, kind, accept)
                    break

    def _fault_for(self, route: str, dataset: str | None) -> Fault | None:
        data_route = route in ("slice", "bulk", "async", "desi")
        for key in (f"{route}:{dataset}", dataset if data_route else None, route, "*"):
            if key and key in self.faults:
                return self.faults[key]
        return None

    def _gzips(self, accept: str) -> bool:
        return self.gzip == "always" or (self.gzip == "when_asked" and "gzip" in accept)

    def _route(self, path: str, query: str, raw: str) -> tuple[str, str | None, _Answer]:
        if path == "/eurostat/catalogue/toc/txt":
            return "toc", None, _Answer(200, self._toc(), {"Content-Type": "text/plain; charset=utf-8"},
                                        chunked=True, data=True)  # fmt: skip
        m = re.fullmatch(r"/eurostat/sdmx/3\.0/data/dataflow/ESTAT/([^/]+)/1\.0/[^/]*", path)
        if m and "format=csvdata" in query:
            dataset = m.group(1).lower()
            return "slice", dataset, self._slice(dataset, query)
        m = re.fullmatch(r"/eurostat/sdmx/2\.1/data/([^/?]+)", path)
        if m:
            dataset = m.group(1).lower()
            return "bulk", dataset, self._bulk(dataset)
        m = re.fullmatch(r"/eurostat/sdmx/3\.0/structure/dataflow/ESTAT/([^/]+)/1\.0/?", path)
        if m:
            dataset = m.group(1).lower()
            return "structure", dataset, self._structure(dataset, raw)
        m = re.fullmatch(r"/eurostat/1\.0/async/(status|data)/([^/]+)", path)
        if m:
            return "async", self._async_dataset(m.group(2)), self._async(m.group(1), m.group(2))
        recorded = self._recorded(raw)
        if recorded is not None:
            return "recorded", None, recorded
        if path.startswith("/desi/api/v1/facts"):
            return "desi", "desi_facts", self._facts(query)
        if path.startswith("/desi/") and self.desi_workbook is not None:
            body = self.files.get(self.desi_workbook.name) or self.desi_workbook.read_bytes()
            return "desi", "desi_2022", _Answer(200, body, {"Content-Type": XLSX_TYPE})
        if path.startswith("/statbel/"):
            return "statbel", None, self._statbel(path)
        return "unknown", None, _Answer(404, b"not found", {"Content-Type": "text/plain"})

    # ---------------------------------------------------------------- Eurostat answers

    def _toc(self) -> bytes:
        """The recorded TOC, the "last update of data" field of edited datasets' lines replaced."""
        if not self.toc_dates:
            return self.toc_bytes
        out = []
        for line in self.toc_bytes.decode("utf-8").splitlines(keepends=True):
            cells = line.split("\t")
            code = cells[1].strip('"') if len(cells) > 3 else ""
            if code in self.toc_dates:
                cells[3] = '"' + self.toc_dates[code].strftime("%d.%m.%Y") + '"'
                line = "\t".join(cells)
            out.append(line)
        return "".join(out).encode("utf-8")

    def _slice(self, dataset: str, query: str) -> _Answer:
        ds = self.eurostat.get(dataset)
        if ds is None:
            return eurostat_error(404, 100, "No results found")
        filters: dict[str, set[str]] = {}
        for k, v in parse_qsl(query, keep_blank_values=True):
            m = re.fullmatch(r"c\[([^\]]+)\]", k)
            if m:
                filters[m.group(1)] = set(v.split(","))
        known = ds.codes
        withdrawn = self.withdrawn.get(dataset, {})
        for dim in filters:
            if dim not in known:
                return eurostat_error(400, 140, INVALID_KEY.format(dim=dim.upper(), dataset=dataset.upper()))
        refused = {
            dim: sorted(c for c in codes if c not in known[dim] or c in withdrawn.get(dim, ()))
            for dim, codes in filters.items()
        }
        refused = {d: c for d, c in refused.items() if c}
        if refused:
            dims = ", ".join(f"{d.upper()}={','.join(c)}" for d, c in sorted(refused.items()))
            return eurostat_error(400, 150, INVALID_VALUE.format(dims=dims))
        job = self.asyncs.get(dataset)
        file = ds.answer_file()
        body = real_bytes.cut(file, filters, self.edits.get(file.path))
        answer = _Answer(200, body, _data_headers(file, dataset), chunked=True, data=True)
        if job is not None and job.answer is None:
            job.answer = answer
            return _Answer(200, _queued(job.key), {"Content-Type": "text/xml;charset=UTF-8"})
        return answer

    def _bulk(self, dataset: str) -> _Answer:
        ds = self.eurostat.get(dataset)
        file = ds.bulk_file() if ds else None
        if file is None:
            return eurostat_error(404, 100, "No results found")
        headers = {"Content-Type": "application/octet-stream",
                   "Content-Disposition": f'attachment; filename="estat_{dataset}.tsv.gz"'}  # fmt: skip
        return _Answer(200, real_bytes.bulk_bytes(file), headers, chunked=True)

    def _structure(self, dataset: str, raw: str) -> _Answer:
        rec = self.structures.get(dataset) or self._recorded_interaction(raw)
        if rec is not None:
            return _from_recording(rec)
        if dataset not in self.eurostat:
            return eurostat_error(404, 100, "No results found")
        template = recordings.find(self.recordings_dir / "eurostat_sdmx3", "TestCheckUpdates.test_no_update",
                                   "/structure/")  # fmt: skip
        answer = _from_recording(template)
        recorded = b'"type":"UPDATE_DATA","date":"2024-06-16T23:00:00+0200"'
        assert recorded in answer.body, "the recorded structure answer changed"
        answer.body = answer.body.replace(recorded, b'"type":"UPDATE_DATA","date":"%s"' % self._update_time(
            dataset).encode())  # fmt: skip
        return answer

    def _update_time(self, dataset: str) -> str:
        if dataset in self.update_times:
            return self.update_times[dataset]
        stated = self.eurostat[dataset].answer_file().upstream_updated
        if stated and "T" in stated:
            return datetime.fromisoformat(stated).strftime("%Y-%m-%dT%H:%M:%S%z")
        return f"{stated}T11:00:00+0100" if stated else "2026-02-27T11:00:00+0100"

    def _async_dataset(self, key: str) -> str | None:
        return next((ds for ds, job in self.asyncs.items() if job.key == key), None)

    def _async(self, what: str, key: str) -> _Answer:
        dataset = self._async_dataset(key)
        job = self.asyncs.get(dataset) if dataset else None
        if job is None:
            return _Answer(200, _status(key, "UNKNOWN_REQUEST"), {"Content-Type": "text/xml;charset=UTF-8"})
        if what == "status":
            status = job.statuses[min(job.polls, len(job.statuses) - 1)]
            job.polls += 1
            job.ready = status == "AVAILABLE"
            return _Answer(200, _status(key, status), {"Content-Type": "text/xml;charset=UTF-8"})
        if job.answer is None or not job.ready:
            return _Answer(200, _status(key, "PROCESSING"), {"Content-Type": "text/xml;charset=UTF-8"})
        del self.asyncs[dataset]
        return job.answer

    def _recorded_interaction(self, raw: str) -> recordings.Interaction | None:
        path = raw.removeprefix("/eurostat")
        return next((i for i in self.recorded if i.path == path), None)

    def _recorded(self, raw: str) -> _Answer | None:
        rec = self._recorded_interaction(raw) if raw.startswith("/eurostat") else None
        return _from_recording(rec) if rec else None

    # ---------------------------------------------------------------- DESI and Statbel

    def _facts(self, query: str) -> _Answer:
        params = dict(parse_qsl(query))
        kpi = params.get("indicator", "")
        for f in self.desi_files:
            body = self.files.get(f.name) or f.read_bytes()
            if f'["{kpi}"]'.encode() in body or f'"{kpi}"'.encode() in body:
                return _Answer(200, body, {"Content-Type": "application/json"}, chunked=True)
        return _Answer(200, b"[]", {"Content-Type": "application/json"})

    def _statbel(self, path: str) -> _Answer:
        name = path.rsplit("/", 1)[-1]
        f = self.statbel.get(name)
        if f is None:
            return _Answer(404, b"<html><body>Page not found</body></html>", {"Content-Type": "text/html"})
        ctype = "application/zip" if f.suffix == ".zip" else XLSX_TYPE
        return _Answer(200, self.files.get(name) or f.read_bytes(), {"Content-Type": ctype})

    # ---------------------------------------------------------------- faults and sending

    def _misbehave(self, fault: Fault, normal: _Answer, h: BaseHTTPRequestHandler) -> _Answer:
        kind = fault.kind
        if kind in _FIXED_ANSWERS:
            return _FIXED_ANSWERS[kind](self, fault)
        if kind == "connect_timeout":
            return _Answer(307, b"", {"Location": f"http://127.0.0.1:{self.blackhole_port()}{h.path}"})
        if kind == "read_timeout":
            self._stop.wait(fault.delay)
            return normal
        if kind in ("truncated", "truncated_length", "slow_body"):
            return normal  # _send cuts it or pauses it
        lines = normal.body.decode("utf-8").splitlines(keepends=True)
        if kind == "empty":
            return _Answer(200, lines[0].encode(), normal.headers, chunked=True)
        # missing_column: the real lines without their OBS_VALUE field (a documented fault, not data)
        col = lines[0].rstrip("\r\n").split(",").index("OBS_VALUE")
        body = "".join(_drop_field(line, col) for line in lines).encode()
        return _Answer(200, body, normal.headers, chunked=True)

    def _send(
        self, h: BaseHTTPRequestHandler, answer: _Answer, *, cut: str | None, pause: float | None
    ) -> int:
        body = answer.body
        h.send_response(answer.status)
        for name, value in answer.headers.items():
            h.send_header(name, value)
        chunked = answer.chunked and cut != "truncated_length"
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")  # one answer per connection, said so: no stale keep-alive reuse
        h.end_headers()
        h.close_connection = True
        half = len(body) // 2
        truncated = cut in ("truncated", "truncated_length")
        parts = [body[:half]] if truncated else [body[:half], body[half:]] if pause else [body]
        sent = 0
        try:
            for i, part in enumerate(parts):
                if i and pause:
                    self._stop.wait(pause)
                if chunked and part:
                    h.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                else:
                    h.wfile.write(part)
                h.wfile.flush()
                sent += len(part)
            if chunked and not truncated:
                h.wfile.write(b"0\r\n\r\n")
                h.wfile.flush()
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
    server_version = "LocalEurostat/1.0"
    protocol_version = "HTTP/1.1"  # chunked transfer needs HTTP/1.1

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            self.server.upstream.handle(self)  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


# ---------------------------------------------------------------- helpers


def _data_headers(file: real_bytes.RealFile, dataset: str) -> dict[str, str]:
    """Headers of a recorded data answer, the content type of the file served."""
    ctype = (
        SDMX_CSV_TYPE if file.text_cuttable and file.format.startswith("sdmx") else "application/octet-stream"
    )
    if file.format.startswith("jsonstat"):
        ctype = "application/json"
    return {"Content-Type": ctype,
            "Content-Disposition": f'attachment; filename="estat_{dataset}_filtered_en.csv"',
            "Access-Control-Allow-Origin": "*"}  # fmt: skip


def _from_recording(rec: recordings.Interaction) -> _Answer:
    """A recorded answer as recorded: status, headers (Transfer-Encoding redone by _send), body bytes."""
    headers = {
        k: v for k, v in rec.headers if k.lower() not in ("transfer-encoding", "content-length", "connection")
    }
    chunked = any(k.lower() == "transfer-encoding" for k, _ in rec.headers)
    return _Answer(rec.status, rec.body, headers, chunked=chunked, data=rec.status == 200)


def _drop_field(line: str, col: int) -> str:
    end = line[len(line.rstrip("\r\n")) :]
    fields = line.rstrip("\r\n").split(",")
    return ",".join(f for i, f in enumerate(fields) if i != col) + end


_ENV = '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'


def _queued(key: str) -> bytes:
    """The first answer to a query Eurostat processes asynchronously (documented shape, synthetic key)."""
    return (f'{_ENV}<env:Header/><env:Body><ns0:asyncResponse xmlns:ns0="urn:test-async">'
            f"<queued><id>{key}</id><status>SUBMITTED</status></queued>"
            "</ns0:asyncResponse></env:Body></env:Envelope>").encode()  # fmt: skip


def _status(key: str, status: str) -> bytes:
    return (f'{_ENV}<env:Header/><env:Body><ns0:asyncStatusResponse xmlns:ns0="urn:test-async">'
            f"<status><key>{key}</key><status>{status}</status></status>"
            "</ns0:asyncStatusResponse></env:Body></env:Envelope>").encode()  # fmt: skip


def _unavailable(up: LocalUpstream, fault: Fault) -> _Answer:
    answer = eurostat_error(503, 503, "Service Unavailable")
    answer.headers["Retry-After"] = str(fault.retry_after)
    return answer


def _recorded_400(up: LocalUpstream, fault: Fault) -> _Answer:
    rec = recordings.find(
        up.recordings_dir / "eurostat_sdmx3", "TestImporterErrors.test_invalid_filter_value"
    )
    return _from_recording(rec)


def _too_big(up: LocalUpstream, fault: Fault) -> _Answer:
    body = ('<S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>413</faultcode>'
            "<faultstring>EXTRACTION_TOO_BIG: The requested extraction is too big, estimated 420709314 rows, "
            "max authorised is 5000000, please change your filters to reduce the extraction size"
            "</faultstring></S:Fault>")  # fmt: skip
    return _Answer(413, body.encode(), {"Content-Type": "text/xml"})


def _html(up: LocalUpstream, fault: Fault) -> _Answer:
    body = (b"<!DOCTYPE html>\n<html><head><title>Eurostat - Service maintenance</title></head>"
            b"<body><h1>The service is temporarily unavailable</h1></body></html>")  # fmt: skip
    return _Answer(200, body, {"Content-Type": "text/html; charset=utf-8"})


def _corrupt_gzip(up: LocalUpstream, fault: Fault) -> _Answer:
    garbage = bytes((i * 37 + 11) % 256 for i in range(4096))
    body = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + garbage
    return _Answer(200, body, {"Content-Type": SDMX_CSV_TYPE}, chunked=True)


_FIXED_ANSWERS = {
    "server_error": lambda up, f: eurostat_error(500, 500, "Internal Server Error"),
    "unavailable": _unavailable,
    "rate_limited": lambda up, f: eurostat_error(429, 429, "Too Many Requests"),
    "bad_request": _recorded_400,
    "not_found": lambda up, f: eurostat_error(404, 100, "No results found"),
    "too_big": _too_big,
    "html": _html,
    "maintenance": lambda up, f: _Answer(302, b"", {"Location": "https://sorry.ec.europa.eu/eurostat.html"}),
    "corrupt_gzip": _corrupt_gzip,
    "redirect": lambda up, f: _Answer(307, b"", {"Location": f.location}),
}


def serve(raw_dir: Path) -> LocalUpstream:
    """Start a local upstream on a free port (stop it with .stop(), or use it as a context manager)."""
    return LocalUpstream(raw_dir).start()
