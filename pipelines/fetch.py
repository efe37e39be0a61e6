"""Catalogue + upstream APIs → raw cache files with provenance; unchanged ones skipped; attempts logged."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from indicators.catalog import load_indicators
from pipelines import raw_cache
from pipelines.http import Client, FetchError
from pipelines.live import eurostat
from pipelines.readers import ReaderError, detect_format, read_file
from pipelines.readers import statbel as statbel_reader
from pipelines.settings import Settings, get_settings

FETCH_LOG = "fetch_log.jsonl"
STAGING = ".staging"
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


@dataclass
class Job:
    """One dataset to fetch: where from, what content type to accept, and the file name in the raw cache."""

    source: str
    dataset: str
    url: str
    expect: tuple[str, ...]
    file_name: str


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


def jobs(
    settings: Settings, *, datasets: list[str] | None = None, bulk: bool = False, statbel: bool = False
) -> list[Job]:
    """What the catalogue needs: one filtered Eurostat slice per dataset, plus DESI and Statbel files."""
    indicators = load_indicators()
    base = settings.eurostat_url
    out = [
        Job(
            "eurostat",
            r.dataset,
            eurostat.bulk_url(base, r.dataset) if bulk else eurostat.slice_url(base, r),
            eurostat.TSV_TYPES if bulk else eurostat.CSV_TYPES,
            f"{r.dataset}.tsv.gz" if bulk else f"{r.dataset}.sdmx.csv",
        )
        for r in eurostat.plan(indicators)
    ]
    desi = os.environ.get("AIPLAN_DESI_WORKBOOK_PATH")
    if desi and any(i.source == "desi" for i in indicators):
        out.append(Job("desi", "desi_2022", _url(settings.desi_url, desi), XLSX_TYPES, "desi_workbook.xlsx"))
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


def _url(base: str, path: str) -> str:
    """A path is appended to its source's base URL; a full URL is kept, and the client checks its host."""
    return path if path.startswith(("http://", "https://")) else base + path


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
    previous = {
        (e.source, e.dataset): e for e in raw_cache.load_manifest(s.raw_dir) if e.original.startswith("http")
    }
    toc = _toc(client, s) if any(j.source == "eurostat" for j in job_list) else {}
    outcomes = []
    try:
        for job in job_list:
            upstream = toc.get(job.dataset)
            prev = previous.get((job.source, job.dataset))
            if not force and upstream and prev and prev.upstream_updated == upstream:
                reason = "upstream not updated since the last fetch"
                outcome = Outcome(
                    job.source,
                    job.dataset,
                    "unchanged",
                    job.url,
                    reason,
                    upstream_updated=upstream,
                    started=_now(),
                )
            else:
                outcome = _fetch_one(client, s, job, upstream)
            _log(s.raw_dir, outcome)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    finally:
        client.close()
    return outcomes, client


def _toc(client: Client, s: Settings) -> dict[str, str]:
    """Eurostat's last update per dataset; without it every dataset is fetched (correct, just slower)."""
    try:
        resp = client.get(eurostat.toc_url(s.eurostat_url), expect=eurostat.TOC_TYPES)
        return eurostat.parse_toc(resp.body.decode("utf-8", errors="replace"))
    except (FetchError, ValueError) as exc:
        _log(
            s.raw_dir,
            Outcome(
                "eurostat",
                "(table of contents)",
                "failed",
                eurostat.toc_url(s.eurostat_url),
                str(exc),
                started=_now(),
            ),
        )
        return {}


def _fetch_one(client: Client, s: Settings, job: Job, upstream: str | None) -> Outcome:
    started = _now()
    outcome = Outcome(job.source, job.dataset, "failed", job.url, started=started, upstream_updated=upstream)
    try:
        resp = client.get(job.url, expect=job.expect)
        outcome.bytes, outcome.seconds = len(resp.body), resp.seconds
        target = s.raw_dir / job.source / job.dataset / job.file_name
        # Staged under its real name (readers go by extension, Statbel's by the year in the name), beside the
        # cache so os.replace stays on one filesystem.
        tmp = s.raw_dir / STAGING / job.source / job.dataset / job.file_name
        tmp.parent.mkdir(parents=True, exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(resp.body)
        result = _validate(tmp, job)
        os.replace(tmp, target)  # the previous good file stays until the new one is known good
        outcome.status, outcome.rows = "updated", len(result.observations)
        outcome.upstream_updated = upstream or result.upstream_updated
        _record(s.raw_dir, job, target, outcome)
    except FetchError as exc:
        outcome.reason = str(exc)
    finally:
        shutil.rmtree(s.raw_dir / STAGING / job.source / job.dataset, ignore_errors=True)
    return outcome


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


def _record(raw_dir: Path, job: Job, target: Path, outcome: Outcome) -> None:
    entries = {e.path: e for e in raw_cache.load_manifest(raw_dir)}
    rel = str(target.relative_to(raw_dir))
    entries[rel] = raw_cache.RawEntry(
        path=rel,
        original=job.url,
        source=job.source,
        dataset=job.dataset,
        format=detect_format(target),
        sha256=raw_cache.sha256_of(target),
        bytes=target.stat().st_size,
        upstream_updated=outcome.upstream_updated,
        imported_at=_now(),
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
