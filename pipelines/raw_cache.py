"""Local upstream files → data/raw/<source>/<dataset>/<file> plus manifest.json (what, from where, sha256)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines import provenance
from pipelines.readers import ReaderError, read_file

MANIFEST = "manifest.json"
# Files that sit beside payloads but are documentation, not data.
_SKIP_SUFFIXES = {".md", ".rst", ".pdf"}


@dataclass
class RawEntry:
    path: str  # relative to the raw cache
    original: str  # where it was imported from (a path or URL)
    source: str
    dataset: str
    format: str
    sha256: str
    bytes: int
    upstream_updated: str | None
    imported_at: str
    request: str | None = None  # fingerprint of the live request that fetched it (codes, geos)
    rejected: list[str] = field(default_factory=list)  # codes the upstream refused in that request
    found_in: str | None = None  # where the file was found (its folder's PROVENANCE.md), or the URL fetched


@dataclass
class ImportOutcome:
    original: str
    status: str  # imported | unchanged | failed | skipped
    entry: RawEntry | None = None
    error: str | None = None
    n_obs: int = 0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_files(paths: list[Path]) -> list[Path]:
    """Expand directories into the data files they hold (sorted, documentation skipped)."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(f for f in sorted(p.rglob("*")) if f.is_file() and _is_data(f.relative_to(p)))
        else:
            found.append(p)
    return found


def _is_data(f: Path) -> bool:
    """Hidden files and folders (e.g. a fetch's staging area) are never payloads."""
    hidden = any(part.startswith(".") for part in f.parts)
    return (
        not hidden and f.suffix.lower() not in _SKIP_SUFFIXES and f.name not in (MANIFEST, "fetch_log.jsonl")
    )


def load_manifest(raw_dir: Path) -> list[RawEntry]:
    path = raw_dir / MANIFEST
    if not path.exists():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return [RawEntry(**e) for e in doc["files"]]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ReaderError(path, f"raw cache manifest is unreadable ({exc})") from exc


def save_manifest(raw_dir: Path, entries: list[RawEntry]) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    tmp = raw_dir / f".{MANIFEST}.tmp"
    doc = {"files": [asdict(e) for e in sorted(entries, key=lambda e: e.path)]}
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(raw_dir / MANIFEST)


def import_files(paths: list[Path], raw_dir: Path) -> list[ImportOutcome]:
    """Validate each file by reading it, then copy it into the raw cache and record it in the manifest."""
    entries = {e.path: e for e in load_manifest(raw_dir)}
    outcomes = []
    for f in data_files(paths):
        outcome = _import_one(f, raw_dir, entries)
        if outcome.entry is not None:
            entries[outcome.entry.path] = outcome.entry
        outcomes.append(outcome)
    save_manifest(raw_dir, list(entries.values()))
    return outcomes


def _import_one(f: Path, raw_dir: Path, entries: dict[str, RawEntry]) -> ImportOutcome:
    try:
        result = read_file(f)
    except ReaderError as exc:
        return ImportOutcome(str(f), "failed", error=str(exc))
    rel = f"{result.source}/{result.dataset}/{f.name}"
    digest = sha256_of(f)
    n_obs = len(result.observations) if result.reference is None else len(result.reference)
    old = entries.get(rel)
    where = provenance.found_in(f)
    if old is not None and old.sha256 == digest and (raw_dir / rel).exists():
        if where and not old.found_in:
            old.found_in = where  # recorded by an import that predates provenance
        return ImportOutcome(str(f), "unchanged", entry=old, n_obs=n_obs)
    target = raw_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(f, target)
    entry = RawEntry(
        path=rel,
        original=str(f.resolve()),
        source=result.source,
        dataset=result.dataset,
        format=result.format,
        sha256=digest,
        bytes=f.stat().st_size,
        upstream_updated=result.upstream_updated,
        imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        found_in=where,
    )
    return ImportOutcome(str(f), "imported", entry=entry, n_obs=n_obs)
