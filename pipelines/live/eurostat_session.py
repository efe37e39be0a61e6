"""A slice request → the bytes Eurostat answers for it: rejected codes dropped and reported, queued (async)
extractions awaited within a bounded time, the dataflow's UPDATE_DATA time asked for when needed."""

from __future__ import annotations

import io
import os
import time
import zipfile
from dataclasses import dataclass, field

from pipelines.http import Client, FetchError, Response
from pipelines.live import eurostat
from pipelines.live.eurostat import SliceRequest
from pipelines.readers import ReaderError

ASYNC_POLL_SECONDS = 10.0  # between status checks
ASYNC_MAX_WAIT_SECONDS = 600.0  # then it fails: the last good data stays, the next refresh asks again
MAX_REJECTION_ROUNDS = 3  # Eurostat may name one bad code per answer; after that, one query per indicator


@dataclass
class SliceAnswer:
    """The data Eurostat gave for a slice, and what it would not give."""

    response: Response
    request: SliceRequest  # the request that was answered (rejected codes removed)
    rejected: list[str] = field(default_factory=list)  # "indic_is=E_AI_X (ai_foo)" lines for the report
    queries: int = 1


def get_slice(client: Client, base: str, req: SliceRequest) -> SliceAnswer:
    """The dataset's slice; a code Eurostat rejects (400, id 150) is dropped and the rest asked again.

    When the error names no code, each indicator is asked alone and the ones that fail are reported; the
    answers of the others are joined (same header, rows appended). Raises FetchError when nothing is left.
    """
    current, rejected, queries = req, [], 0
    for _ in range(MAX_REJECTION_ROUNDS):
        queries += 1
        try:
            resp = get_data(client, base, eurostat.slice_url(base, current), eurostat.CSV_TYPES)
            return SliceAnswer(resp, current, rejected, queries)
        except FetchError as exc:
            if exc.kind != "unknown_code":
                raise
            named = eurostat.match_rejected(current, eurostat.rejected_codes(exc.message))
            if not named:
                return _one_by_one(client, base, current, rejected, queries, exc)
            rejected += _describe(current, named)
            narrower = eurostat.without(current, named)
            if narrower is None:
                raise FetchError("unknown_code", exc.url, f"Eurostat rejected every code asked: "
                                 f"{'; '.join(rejected)}", exc.status) from exc  # fmt: skip
            current = narrower
    return _one_by_one(client, base, current, rejected, queries, None)


def _describe(req: SliceRequest, named: dict[str, set[str]]) -> list[str]:
    out = []
    for dim, codes in sorted(named.items()):
        for code in sorted(codes):
            users = req.indicators_using(dim, code) if dim != "geo" else ["every indicator"]
            out.append(f"{dim}={code} ({', '.join(users) or 'no indicator'})")
    return out


def _one_by_one(client: Client, base: str, req: SliceRequest, rejected: list[str], queries: int,
                cause: FetchError | None) -> SliceAnswer:  # fmt: skip
    """One query per indicator: the answers that come back are joined, the failures reported."""
    bodies, kept, last = [], [], cause
    for ind, _ in req.members:
        one = eurostat.for_indicator(req, ind)
        queries += 1
        try:
            bodies.append(get_data(client, base, eurostat.slice_url(base, one), eurostat.CSV_TYPES))
            kept.append(ind)
        except FetchError as exc:
            if exc.kind not in ("unknown_code", "empty"):
                raise
            rejected.append(f"{ind}: {exc}")
            last = exc
    if not bodies:
        raise last or FetchError("unknown_code", eurostat.slice_url(base, req), "no indicator was fetched")
    joined = _join_csv([b.body for b in bodies], bodies[0].url)
    first = bodies[0]
    resp = Response(first.url, first.status, first.content_type, joined, first.headers,
                    sum(b.seconds for b in bodies))  # fmt: skip
    return SliceAnswer(resp, eurostat.restrict(req, kept), rejected, queries)


def _join_csv(bodies: list[bytes], url: str) -> bytes:
    """CSV answers with one header: the first answer whole, the others without their header line."""
    texts = [b.decode("utf-8-sig") for b in bodies]
    header = texts[0].split("\n", 1)[0]
    parts = [texts[0].rstrip("\n")]
    for t in texts[1:]:
        head, _, rest = t.partition("\n")
        if head != header:
            raise FetchError("not_data", url, "per-indicator answers have different CSV headers")
        if rest.strip():
            parts.append(rest.rstrip("\n"))
    return ("\n".join(parts) + "\n").encode()


def get_data(client: Client, base: str, url: str, expect: tuple[str, ...]) -> Response:
    """GET a data URL; a queued (asynchronous) answer is polled until its data can be fetched."""
    try:
        resp = client.get(url, expect=expect + eurostat.ASYNC_TYPES)
    except FetchError as exc:
        queued = eurostat.parse_async(exc.body) if exc.body else None
        if exc.kind != "async" or not queued or not queued[0]:
            raise
        return _await(client, base, url, queued[0], queued[1], expect)
    queued = eurostat.parse_async(resp.body)
    if queued is None:
        return resp
    key, status = queued
    if not key:
        raise FetchError("not_data", url, f"an asynchronous answer without a key (status {status})")
    return _await(client, base, url, key, status, expect)


def _await(client: Client, base: str, url: str, key: str, status: str | None,
           expect: tuple[str, ...]) -> Response:  # fmt: skip
    poll = float(os.environ.get("AIPLAN_ASYNC_POLL", ASYNC_POLL_SECONDS))
    max_wait = float(os.environ.get("AIPLAN_ASYNC_MAX_WAIT", ASYNC_MAX_WAIT_SECONDS))
    deadline = time.monotonic() + max_wait
    while status != eurostat.ASYNC_READY:
        if status in eurostat.ASYNC_FINAL_FAILURES:
            raise FetchError("async_failed", url, f"Eurostat queued the extraction (key {key}) and it ended "
                             f"{status}; the previous data is kept")  # fmt: skip
        if time.monotonic() + poll > deadline:
            raise FetchError("async_timeout", url, f"Eurostat queued the extraction (key {key}); it was not "
                             f"ready after {max_wait:g} s (last status {status or 'unknown'}); the previous "
                             "data is kept, the next refresh asks again")  # fmt: skip
        time.sleep(poll)
        status_url = eurostat.async_status_url(base, key)
        answer = client.get(status_url, expect=eurostat.ASYNC_TYPES + ("text/plain",))
        parsed = eurostat.parse_async(answer.body)
        if parsed is None:
            raise FetchError("not_data", answer.url, "the async status answer is not an envelope")
        status = parsed[1]
    data = client.get(eurostat.async_data_url(base, key), expect=expect + ("application/zip",))
    data.body = _unzip_single(data.body, data.url)
    return data


def _unzip_single(body: bytes, url: str) -> bytes:
    """Async data may come zipped: the one member's bytes (a CSV or TSV); anything else unchanged."""
    if body[:4] != b"PK\x03\x04":
        return body
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        if len(names) != 1:
            raise FetchError("not_data", url, f"a zip with {len(names)} members, expected one data file")
        return zf.read(names[0])


def update_time(client: Client, base: str, dataset: str) -> str | None:
    """The dataflow's UPDATE_DATA (ISO 8601 with time); None when Eurostat has no structure for it or does
    not say. Raises FetchError when the service itself failed (the caller counts those)."""
    try:
        resp = client.get(eurostat.structure_url(base, dataset), expect=eurostat.JSON_TYPES)
    except FetchError as exc:
        if exc.kind in ("unknown_dataset", "bad_request", "unknown_code", "not_data"):
            return None
        raise
    try:
        return eurostat.parse_update_data(resp.body)
    except (ValueError, ReaderError):
        return None
