"""URL → response bytes, politely and safely: one session, timeouts, retries, size limits, typed errors."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from pipelines.settings import Settings, get_settings

USER_AGENT = "aiplan-monitor/0.1 (Belgian federal AI plan monitor; +https://github.com/)"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Eurostat answers 400/404/413 for bad queries, unknown datasets, too-big extractions: retrying cannot help.
MAX_BYTES = 200 * 1024 * 1024
MAX_REDIRECTS = 3
# A Retry-After longer than this is not waited for: the request fails now and the next refresh tries again.
MAX_RETRY_AFTER = 30.0
# Eurostat redirects to its "sorry" host during maintenance (sorry.ec.europa.eu).
MAINTENANCE_HOST_PREFIX = "sorry."


class PoliteRetry(Retry):
    """urllib3's Retry that honours Retry-After up to a ceiling: a longer wait is not retried (an hour's wait
    would stall a refresh that must end; the answer itself says the service is busy, so this request fails
    now and the next refresh tries again)."""

    def __init__(self, *args, max_retry_after: float = MAX_RETRY_AFTER, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_retry_after = max_retry_after

    def new(self, **kwargs) -> PoliteRetry:
        fresh = super().new(**kwargs)
        fresh.max_retry_after = self.max_retry_after
        return fresh

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        wait = self.get_retry_after(response) if response is not None else None
        if wait is not None and wait > self.max_retry_after:
            # urllib3 catches this and, with raise_on_status=False, hands back the response itself.
            reason = ResponseError(f"Retry-After {wait:g} s exceeds {self.max_retry_after:g} s")
            raise MaxRetryError(_pool, url, reason)
        return super().increment(method, url, response, error, _pool, _stacktrace)


class FetchError(RuntimeError):
    """A fetch that failed; `kind` says why in one word the CLI and tests can rely on."""

    def __init__(self, kind: str, url: str, message: str, status: int | None = None, body: bytes = b""):
        # timeout | connection | server_error | rate_limited | bad_request | unknown_dataset | unknown_code
        # | too_big | async | async_failed | async_timeout | unavailable | not_data | empty | truncated
        # | too_large | refused_host
        self.kind = kind
        self.url = url
        self.status = status
        self.body = body  # the start of the error answer (an async envelope, Eurostat's JSON error)
        self.message = message  # without the kind and URL that str() adds
        super().__init__(f"{kind}: {message} ({url})")


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]
    seconds: float


@dataclass
class HttpStats:
    """What a run of fetches cost, for the summary and the benchmark."""

    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0


def allowed_hosts(s: Settings) -> set[str]:
    """Only the hosts of the configured upstream base URLs may be contacted."""
    return {urlsplit(u).netloc.lower() for u in (s.eurostat_url, s.desi_url, s.statbel_url)}


class Client:
    """One requests session for a refresh: shared connection pool, retry policy, host allowlist, stats."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.stats = HttpStats()
        self.hosts = allowed_hosts(self.settings)
        self.timeout = (
            float(os.environ.get("AIPLAN_HTTP_CONNECT_TIMEOUT", 10)),
            float(os.environ.get("AIPLAN_HTTP_READ_TIMEOUT", 120)),
        )
        self.max_bytes = int(os.environ.get("AIPLAN_HTTP_MAX_BYTES", MAX_BYTES))
        retry = PoliteRetry(
            total=int(os.environ.get("AIPLAN_HTTP_RETRIES", 4)),
            connect=int(os.environ.get("AIPLAN_HTTP_RETRIES", 4)),
            read=1,
            backoff_factor=float(os.environ.get("AIPLAN_HTTP_BACKOFF", 1.0)),
            backoff_max=60,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            respect_retry_after_header=True,
            raise_on_status=False,
            max_retry_after=float(os.environ.get("AIPLAN_HTTP_MAX_RETRY_AFTER", MAX_RETRY_AFTER)),
        )
        self.session = requests.Session()
        # identity, as the Commission's own importer asks: Eurostat gzips without a Content-Encoding header
        # when it may, so asking for gzip would hand `requests` bytes it cannot know to decompress. Readers
        # still sniff the gzip magic, for when a proxy or Eurostat compresses anyway.
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # A host whose last request failed after all its retries is probed once, without retries: if it fails
        # again it is down (fetch stops asking it), and a refresh against a dead upstream ends in seconds
        # instead of spending the whole backoff again on every request.
        self.probing: set[str] = set()
        self._probe = requests.Session()
        self._probe.headers.update(self.session.headers)
        probe = HTTPAdapter(max_retries=PoliteRetry(total=0, read=0, connect=0, raise_on_status=False))
        self._probe.mount("http://", probe)
        self._probe.mount("https://", probe)

    def close(self) -> None:
        self.session.close()
        self._probe.close()

    def get(self, url: str, *, expect: tuple[str, ...]) -> Response:
        """GET `url`; the body must arrive whole, within the size limit, of an `expect`ed content type.

        Redirects are followed by hand so that every hop is checked against the allowed hosts.
        """
        started = time.perf_counter()
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            resp = self._get_once(url, started)
            location = resp.headers.get("Location")
            if resp.status not in (301, 302, 303, 307, 308) or not location:
                break
            url = urljoin(url, location)
            if urlsplit(url).netloc.lower().startswith(MAINTENANCE_HOST_PREFIX):
                raise FetchError(
                    "unavailable", resp.url, f"redirected to the maintenance page {url}", resp.status
                )
        else:
            raise FetchError("bad_request", url, f"more than {MAX_REDIRECTS} redirects")
        if resp.status >= 400:
            raise http_error(resp)
        _check_type(resp, expect)
        return resp

    def _check_host(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        if host not in self.hosts:
            raise FetchError(
                "refused_host", url, f"host {host!r} is not a configured upstream {sorted(self.hosts)}"
            )

    def _get_once(self, url: str, started: float) -> Response:
        try:
            session = self._probe if urlsplit(url).netloc.lower() in self.probing else self.session
            with session.get(url, timeout=self.timeout, stream=True, allow_redirects=False) as r:
                body = self._read(url, r)
                resp = Response(url, r.status_code, r.headers.get("Content-Type", ""), body, dict(r.headers),
                                time.perf_counter() - started)  # fmt: skip
        except requests.exceptions.ConnectTimeout as exc:
            raise FetchError("timeout", url, f"no connection within {self.timeout[0]:g} s") from exc
        except (requests.exceptions.ReadTimeout, requests.exceptions.Timeout) as exc:
            raise FetchError("timeout", url, f"no data for {self.timeout[1]:g} s") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise FetchError("truncated", url, "the connection closed before the body was complete") from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError("truncated", url, f"the compressed body is corrupt ({exc})") from exc
        except requests.exceptions.RetryError as exc:
            raise FetchError("server_error", url, f"still failing after retries ({exc})") from exc
        except requests.exceptions.ConnectionError as exc:
            if _is_timeout(exc):
                raise FetchError("timeout", url, f"no data within {self.timeout[1]:g} s") from exc
            raise FetchError("connection", url, f"cannot connect ({exc.__class__.__name__})") from exc
        finally:
            self.stats.requests += 1
            self.stats.seconds += time.perf_counter() - started
        self.stats.bytes += len(resp.body)
        return resp

    def _read(self, url: str, r: requests.Response) -> bytes:
        declared = r.headers.get("Content-Length")
        if (
            declared
            and int(declared) > self.max_bytes
            and "gzip" not in r.headers.get("Content-Encoding", "")
        ):
            raise FetchError("too_large", url, f"{int(declared):,} bytes announced, limit {self.max_bytes:,}")
        chunks, size = [], 0
        for chunk in r.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError("too_large", url, f"more than {self.max_bytes:,} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        if declared and "Content-Encoding" not in r.headers and len(body) < int(declared):
            raise FetchError("truncated", url, f"{len(body):,} of {int(declared):,} bytes received")
        return body


def _is_timeout(exc: requests.exceptions.ConnectionError) -> bool:
    """A timeout can arrive wrapped: ConnectionError(MaxRetryError(reason)) once retries are spent, or
    ConnectionError(ReadTimeoutError) when the body stalls while it streams."""
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, ReadTimeoutError | ConnectTimeoutError) or isinstance(
        getattr(inner, "reason", None), ReadTimeoutError | ConnectTimeoutError
    )


def _check_type(resp: Response, expect: tuple[str, ...]) -> None:
    ctype = resp.content_type.split(";")[0].strip().lower()
    head = resp.body[:512].lstrip().lower()
    if ctype == "text/html" or head.startswith((b"<!doctype html", b"<html")):
        # An HTML page where data was asked is the service's error or maintenance page, not a dataset's fault.
        raise FetchError(
            "html", resp.url, f"an HTML page came back (HTTP {resp.status}), not data", resp.status
        )
    if expect and ctype and not any(ctype == e or ctype.endswith("+" + e.split("/")[-1]) for e in expect):
        raise FetchError(
            "not_data", resp.url, f"content type {ctype!r}, expected one of {list(expect)}", resp.status
        )
    if not resp.body.strip():
        raise FetchError("empty", resp.url, "the response body is empty", resp.status)


def http_error(resp: Response) -> FetchError:
    """Turn an HTTP error answer into a typed error, with Eurostat's own message when it sent one."""
    message = _upstream_message(resp.body) or f"HTTP {resp.status}"
    kinds = {400: "bad_request", 404: "unknown_dataset", 429: "rate_limited"}
    kind = kinds.get(resp.status, "server_error" if resp.status >= 500 else "bad_request")
    if resp.status == 413:
        kind = "async" if "ASYNCHRONOUS" in message.upper() else "too_big"
    if resp.status == 400 and ("INVALID_QUERY" in message.upper() or "NO RESULTS" in message.upper()):
        kind = "unknown_code"
    if resp.status == 404 and "NO RESULTS" in message.upper():
        kind = "unknown_dataset"
    return FetchError(kind, resp.url, message, resp.status, resp.body[:65536])


def _upstream_message(body: bytes) -> str | None:
    """Eurostat's error bodies: JSON {"error": [{"status", "id", "label"}]}, or XML with a Text element."""
    text = body[:20000].decode("utf-8", errors="replace")
    try:
        doc = json.loads(text)
        errors = doc.get("error") if isinstance(doc, dict) else None
        if isinstance(errors, list) and errors:
            e = errors[0]
            return f"{e.get('label') or e.get('id')} (id {e.get('id')})"
        if isinstance(errors, dict):
            return str(errors.get("label") or errors)
    except (json.JSONDecodeError, AttributeError):
        pass
    m = re.search(r"<(?:\w+:)?(?:Text|faultstring)[^>]*>([^<]+)</", text)
    if m:
        return m.group(1).strip()
    return text.strip()[:200] or None
