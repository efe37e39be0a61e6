"""Catalogue + upstream APIs → raw cache files with provenance; unchanged ones skipped; attempts logged.

What is fetched is decided per dataset: a dataset is fetched again when the catalogue asks for other codes
than last time (the request's fingerprint), or when Eurostat updated it after our last fetch. The update time
comes from the dataflow's structure (`UPDATE_DATA`, to the minute: it tells the 11:00 and 23:00 releases
apart, and costs about 2 KB a dataset); only when that answer fails is the table of contents read (one
download of 1.6 MB for every dataset, dates to the day: an update on the day of our fetch is then fetched
again, to be safe). A source that is down (two service-side failures in a row, or a redirect to its
maintenance host) stops being asked at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from indicators.catalog import load_indicators
from pipelines import raw_cache
from pipelines.http import Client, FetchError, Response
from pipelines.live import eurostat, eurostat_session
from pipelines.live.eurostat import SliceRequest
from pipelines.readers import ReaderError, detect_format, read_file
from pipelines.readers import statbel as statbel_reader
from pipelines.settings import Settings, get_settings

FETCH_LOG = "fetch_log.jsonl"
STAGING = ".staging"
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")
FACTS_TYPES = ("text/csv", "application/csv", "application/json", "application/octet-stream", "text/plain")
DESI_FACTS = "desi_facts"
# Failures that say the service, not a dataset, is in trouble; two in a row (the TOC counts) stop the source.
SERVICE_FAILURES = {
    "server_error",
    "connection",
    "timeout",
    "html",
    "truncated",
    "unavailable",
    "rate_limited",
}
DOWN_AFTER = 2
BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass
class Job:
    """One dataset to fetch: where from, what content type to accept, and the file name in the raw cache."""

    source: str
    dataset: str
    url: str
    expect: tuple[str, ...]
    file_name: str
    request: SliceRequest | None = None  # Eurostat slices: the codes asked (fingerprinted, narrowed on 400)
    fingerprint: str | None = None  # what is asked; a change means fetching again whatever the TOC says


@dataclass
class Outcome:
    source: str
    dataset: str
    status: str  # updated | unchanged | failed | skipped
    url: str
    reason: str | None = None
    bytes: int = 0
    seconds: float = 0.0
    rows: int = 0
    upstream_updated: str | None = None
    started: str = ""
    rejected: list[str] = field(default_factory=list)  # codes refused upstream, with indicators using them

    @property
    def partial(self) -> bool:
        return self.status == "updated" and bool(self.rejected)


def jobs(
    settings: Settings, *, datasets: list[str] | None = None, bulk: bool = False, statbel: bool = False
) -> list[Job]:
    """What the catalogue needs: a filtered Eurostat slice per dataset, DESI facts per KPI, Statbel files."""
    indicators = load_indicators()
    base = settings.eurostat_url
    out = []
    for r in eurostat.plan(indicators):
        if bulk:
            job = Job("eurostat", r.dataset, eurostat.bulk_url(base, r.dataset), eurostat.TSV_TYPES,
                      f"{r.dataset}.tsv.gz", fingerprint=f"bulk:{r.dataset}")  # fmt: skip
        else:
            job = Job("eurostat", r.dataset, eurostat.slice_url(base, r), eurostat.CSV_TYPES,
                      f"{r.dataset}.sdmx.csv", request=r, fingerprint=r.fingerprint())  # fmt: skip
        out.append(job)
    out += _desi_jobs(settings, indicators)
    if statbel:
        for path in filter(None, os.environ.get("AIPLAN_STATBEL_FILES", "").split(",")):
            name = path.rsplit("/", 1)[-1]
            url = _url(settings.statbel_url, path.strip())
            out.append(Job("statbel", statbel_reader.dataset_of(name), url, ZIP_TYPES, name))
    if datasets:
        wanted = {d.lower() for d in datasets}
        unknown = wanted - {j.dataset for j in out}
        if unknown:
            raise ValueError(f"not in the catalogue: {', '.join(sorted(unknown))}")
        out = [j for j in out if j.dataset in wanted]
    return out


def _desi_jobs(settings: Settings, indicators) -> list[Job]:
    """The Commission's DESI facts, one query per KPI the catalogue uses (every breakdown, unit and edition,
    the EU 2030 target rows included); the 2022 workbook only when its path is configured."""
    out = []
    facts = [p for i in indicators for p in i.publications() if (p.source, p.dataset) == ("desi", DESI_FACTS)]
    kpis = sorted({i.series["indicator"] for i in facts})
    for kpi in kpis:
        query = urlencode({"indicator": kpi, "format": "csv"})
        out.append(Job("desi", DESI_FACTS, f"{settings.desi_url}/api/v1/facts/?{query}", FACTS_TYPES,
                       f"{kpi}.csv", fingerprint=f"facts:{kpi}"))  # fmt: skip
    workbook = os.environ.get("AIPLAN_DESI_WORKBOOK_PATH")
    if workbook and any(i.source == "desi" and i.dataset == "desi_2022" for i in indicators):
        url = _url(settings.desi_url, workbook)
        out.append(Job("desi", "desi_2022", url, XLSX_TYPES, "desi_workbook.xlsx"))
    return out


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _url(base: str, path: str) -> str:
    """A path is appended to its source's base URL; a full URL is kept, and the client checks its host."""
    return path if path.startswith(("http://", "https://")) else base + path


@dataclass
class _Health:
    """Consecutive service-side failures per source; a source that is down is not asked again this run.

    After one failure (its retries spent) the source's next request is a probe without retries
    (`Client.probing`), so telling a dead upstream costs one backoff, not one per request.
    """

    client: Client
    hosts: dict[str, str]  # source → host
    streak: dict[str, int] = field(default_factory=dict)
    down: dict[str, str] = field(default_factory=dict)  # source → why

    def record(self, source: str, error: FetchError | None) -> None:
        if error is None or error.kind not in SERVICE_FAILURES | {"unavailable"}:
            self.streak[source] = 0
            self.client.probing.discard(self.hosts.get(source, ""))
            return
        if error.kind == "unavailable":  # the maintenance redirect says it all
            self.down[source] = str(error)
            return
        self.streak[source] = self.streak.get(source, 0) + 1
        self.client.probing.add(self.hosts.get(source, ""))
        if self.streak[source] >= DOWN_AFTER:
            self.down[source] = str(error)


def fetch(
    job_list: list[Job],
    *,
    settings: Settings | None = None,
    force: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
) -> tuple[list[Outcome], Client]:
    """Fetch each job into the raw cache; a failure is reported and the previous file is kept."""
    s = settings or get_settings()
    client = Client(s)
    previous = {e.request: e for e in raw_cache.load_manifest(s.raw_dir) if e.request}
    health = _Health(client, {"eurostat": _host(s.eurostat_url), "desi": _host(s.desi_url),
                              "statbel": _host(s.statbel_url)})  # fmt: skip
    toc = _Toc(client, s, health)
    outcomes = []
    try:
        for job in job_list:
            if job.source in health.down:
                outcome = Outcome(job.source, job.dataset, "skipped", job.url,
                                  f"{_SOURCE_NAMES[job.source]} unavailable: {health.down[job.source]}",
                                  started=_now())  # fmt: skip
            else:
                prev = previous.get(job.fingerprint) if job.fingerprint else None
                outcome = _one(client, s, job, prev, toc, force, health)
            _log(s.raw_dir, outcome)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    finally:
        client.close()
    return outcomes, client


_SOURCE_NAMES = {"eurostat": "Eurostat", "desi": "The Commission's DESI platform", "statbel": "Statbel"}


def _one(client: Client, s: Settings, job: Job, prev: raw_cache.RawEntry | None, toc: _Toc,
         force: bool, health: _Health) -> Outcome:  # fmt: skip
    upstream = None
    if job.source == "eurostat":
        unchanged, upstream = _unchanged(client, s, job, prev, toc, health, force)
        if unchanged:
            return Outcome(job.source, job.dataset, "unchanged", job.url,
                           "upstream not updated since the last fetch", upstream_updated=upstream,
                           started=_now())  # fmt: skip
        if job.source in health.down:
            return Outcome(job.source, job.dataset, "skipped", job.url,
                           f"{_SOURCE_NAMES[job.source]} unavailable: {health.down[job.source]}",
                           started=_now())  # fmt: skip
    outcome, error = _fetch_one(client, s, job, upstream, None if force else prev)
    health.record(job.source, error)
    return outcome


def _unchanged(client: Client, s: Settings, job: Job, prev: raw_cache.RawEntry | None, toc: _Toc,
               health: _Health, force: bool) -> tuple[bool, str | None]:  # fmt: skip
    """(True, upstream update) when the last fetch of this very request is still current upstream; else
    (False, the update time to record). The dataflow's UPDATE_DATA first, the TOC's day when that fails."""
    known = prev is not None and (s.raw_dir / prev.path).exists() and prev.request == job.fingerprint
    try:
        exact = eurostat_session.update_time(client, s.eurostat_url, job.dataset)
        health.record("eurostat", None)
    except FetchError as exc:
        exact = None
        health.record("eurostat", exc)
    if exact is not None:
        if force or not known or not prev.imported_at:
            return False, exact
        return _instant(exact) <= _instant(prev.imported_at), exact
    if "eurostat" in health.down or force or not known:
        return False, None  # fetched anyway: the 1.6 MB TOC is only read to decide
    day = toc.day(job.dataset)
    if day is None or day != (prev.upstream_updated or "")[:10]:
        return False, day  # no date to go by, or another day of update than the one we hold
    fetched = _brussels_day(prev.imported_at)
    if fetched and day < fetched:
        return True, prev.upstream_updated  # updated on a day before the one we fetched on
    return False, day  # updated on the very day we fetched: the TOC cannot tell before from after


def _instant(iso: str) -> datetime:
    """An ISO 8601 text as an aware time (a date or a time without offset is Brussels time)."""
    t = datetime.fromisoformat(iso)
    return t if t.tzinfo else t.replace(tzinfo=BRUSSELS)


def _brussels_day(iso: str | None) -> str | None:
    if not iso:
        return None
    return _instant(iso).astimezone(BRUSSELS).date().isoformat()


class _Toc:
    """Eurostat's table of contents, downloaded once, and only when a dataflow's own update time failed."""

    def __init__(self, client: Client, s: Settings, health: _Health):
        self.client, self.s, self.health = client, s, health
        self.days: dict[str, str] | None = None

    def day(self, dataset: str) -> str | None:
        if self.days is None:
            self.days = self._load()
        return self.days.get(dataset)

    def _load(self) -> dict[str, str]:
        url = eurostat.toc_url(self.s.eurostat_url)
        try:
            resp = self.client.get(url, expect=eurostat.TOC_TYPES)
            days = eurostat.parse_toc(resp.body)
            self.health.record("eurostat", None)
            return days
        except (FetchError, ValueError, ReaderError) as exc:
            if isinstance(exc, FetchError):
                self.health.record("eurostat", exc)
            _log(self.s.raw_dir, Outcome("eurostat", "(table of contents)", "failed", url, str(exc),
                                         started=_now()))  # fmt: skip
            return {}


def _fetch_one(
    client: Client, s: Settings, job: Job, upstream: str | None, prev: raw_cache.RawEntry | None = None
) -> tuple[Outcome, FetchError | None]:
    """Download, validate and keep one job's payload. `prev` is the last fetch of the same request (None when
    forced): from a source that states no update time (the DESI platform), the same bytes again are
    "unchanged", so such a source does not make every refresh rebuild the warehouse."""
    started = _now()
    outcome = Outcome(job.source, job.dataset, "failed", job.url, started=started, upstream_updated=upstream)
    staging = s.raw_dir / STAGING / job.source / job.dataset
    try:
        resp, fingerprint = _download(client, s, job, outcome)
        outcome.bytes, outcome.seconds = len(resp.body), resp.seconds
        # Only where the source states no update time: a Eurostat dataset that says it changed is taken
        # again (its new date recorded), or it would be downloaded at every refresh until its bytes moved.
        if upstream is None and _same_as(prev, s.raw_dir, resp.body) and not outcome.rejected:
            outcome.status, outcome.reason = "unchanged", "the same bytes as the last fetch"
            outcome.upstream_updated = prev.upstream_updated
            return outcome, None
        name = _file_name(job, resp.body)
        target = s.raw_dir / job.source / job.dataset / name
        # Staged under its real name (readers go by content, Statbel's by the year in the name, openpyxl by
        # the extension), beside the cache so os.replace stays on one filesystem.
        tmp = staging / name
        tmp.parent.mkdir(parents=True, exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(resp.body)
        result = _validate(tmp, job)
        os.replace(tmp, target)  # the previous good file stays until the new one is known good
        outcome.status, outcome.rows = "updated", len(result.observations)
        outcome.upstream_updated = upstream or result.upstream_updated
        if outcome.rejected:
            outcome.reason = "Eurostat rejected " + "; ".join(outcome.rejected) + "; the rest was fetched"
        _record(s.raw_dir, job, target, outcome, fingerprint, resp.url)
        return outcome, None
    except FetchError as exc:
        outcome.reason = str(exc)
        return outcome, exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _same_as(prev: raw_cache.RawEntry | None, raw_dir: Path, body: bytes) -> bool:
    return (
        prev is not None
        and (raw_dir / prev.path).is_file()
        and prev.sha256 == hashlib.sha256(body).hexdigest()
    )


def _download(client: Client, s: Settings, job: Job, outcome: Outcome) -> tuple[Response, str | None]:
    """The answer's bytes and the fingerprint of what was asked (narrowed when Eurostat rejected codes)."""
    if job.request is not None:
        answer = eurostat_session.get_slice(client, s.eurostat_url, job.request)
        outcome.rejected = answer.rejected
        # A narrowed request is recorded under the full request's fingerprint: asking again would be refused
        # again, until the catalogue (and so the fingerprint) changes or the TOC shows new data.
        return answer.response, job.fingerprint
    if job.source == "eurostat":
        return eurostat_session.get_data(client, s.eurostat_url, job.url, job.expect), job.fingerprint
    return client.get(job.url, expect=job.expect), job.fingerprint


def _file_name(job: Job, body: bytes) -> str:
    """The job's file name, its extension fitted to what came back (a workbook must be called .xlsx)."""
    stem = job.file_name.split(".", 1)[0]
    if body[:4] == b"PK\x03\x04" and job.source == "eurostat":
        return f"{stem}.xlsx"
    if body.lstrip()[:1] in (b"{", b"[") and job.source == "eurostat":
        return f"{stem}.json"
    return job.file_name


def _validate(path: Path, job: Job):
    """Read the payload with the project's own reader: a file that does not read is not data."""
    try:
        result = read_file(path, dataset=job.dataset)
    except ReaderError as exc:
        kind = "empty" if "no observations" in str(exc) else "not_data"
        raise FetchError(kind, job.url, f"the payload does not read: {exc.problem}") from exc
    except Exception as exc:  # noqa: BLE001  a payload that crashes a reader is not data; the rest goes on
        raise FetchError(
            "not_data", job.url, f"the payload does not read: {type(exc).__name__}: {exc}"
        ) from exc
    if result.reference is None and len(result.observations) == 0:
        raise FetchError("unknown_code", job.url, "no rows for the requested codes")
    return result


def _record(
    raw_dir: Path, job: Job, target: Path, outcome: Outcome, fingerprint: str | None, url: str
) -> None:
    rel = str(target.relative_to(raw_dir))
    entries = {}
    for e in raw_cache.load_manifest(raw_dir):
        if fingerprint and e.request == fingerprint and e.path != rel:
            (raw_dir / e.path).unlink(missing_ok=True)  # the same request answered in another format earlier
            continue
        entries[e.path] = e
    entries[rel] = raw_cache.RawEntry(
        path=rel,
        original=url,
        source=job.source,
        dataset=job.dataset,
        format=detect_format(target),
        sha256=raw_cache.sha256_of(target),
        bytes=target.stat().st_size,
        upstream_updated=outcome.upstream_updated,
        imported_at=_now(),
        request=fingerprint,
        rejected=list(outcome.rejected),
    )
    raw_cache.save_manifest(raw_dir, list(entries.values()))


def _log(raw_dir: Path, outcome: Outcome) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    with (raw_dir / FETCH_LOG).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({**asdict(outcome), "finished": _now()}, ensure_ascii=False) + "\n")


def read_log(raw_dir: Path) -> list[dict]:
    path = raw_dir / FETCH_LOG
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
