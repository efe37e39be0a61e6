"""Read payloads (raw files or the snapshot) → a new DuckDB warehouse file swapped in atomically."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import raw_cache
from pipelines.catalogue_tables import CatalogueReport, write_catalogue
from pipelines.readers import ReaderError, ReadResult, read_file
from pipelines.sources import SOURCES, attribution

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
CODELISTS = Path(__file__).with_name("codelists")
ANY_DATASET = "*"  # labels that hold for every Eurostat dataset (shared code lists)


class BuildError(RuntimeError):
    """A build that stopped; the current warehouse was left untouched."""


@dataclass
class Payload:
    """One upstream file as read, with its provenance."""

    result: ReadResult
    location: str
    sha256: str
    bytes: int
    read_at: datetime


@dataclass
class BuildReport:
    warehouse: Path
    built_from: str
    datasets: int = 0
    observations: int = 0
    seconds: float = 0.0
    superseded: list[str] = field(default_factory=list)
    catalogue: CatalogueReport | None = None


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The app's and CLI's way in: read-only, so any number of readers can share the file."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `aiplan build --from-snapshot`")
    return duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": "false"})


@contextmanager
def new_warehouse(target: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a fresh file beside `target`; swap it in on success, delete it on failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    con = duckdb.connect(str(tmp), config={"autoinstall_known_extensions": "false"})
    try:
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, target)
    except BaseException:
        con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- from raw files


def read_raw(raw_dir: Path) -> list[Payload]:
    """Read every payload of a raw cache (its manifest) or of any folder of upstream files."""
    entries = raw_cache.load_manifest(raw_dir)
    if entries:
        files = [(raw_dir / e.path, e.dataset, e.original) for e in entries]
    else:
        files = [(f, None, str(f)) for f in raw_cache.data_files([raw_dir])]
    if not files:
        raise BuildError(f"{raw_dir}: no upstream files found")
    payloads = []
    for path, dataset, original in files:
        try:
            result = read_file(path, dataset=dataset)
        except ReaderError as exc:
            raise BuildError(str(exc)) from exc
        payloads.append(
            Payload(result, Path(original).name, raw_cache.sha256_of(path), path.stat().st_size, _now())
        )
    return payloads


def choose_latest(payloads: list[Payload]) -> tuple[list[Payload], list[tuple[Payload, Payload]]]:
    """Keep one payload per dataset, never splicing two: the latest upstream update, else the furthest data.

    Returns the kept payloads and (superseded, kept) pairs.
    """
    by_key: dict[tuple[str, str, str], list[Payload]] = {}
    for p in payloads:
        kind = "reference" if p.result.reference is not None else "observations"
        by_key.setdefault((p.result.source, p.result.dataset, kind), []).append(p)
    kept, dropped = [], []
    for group in by_key.values():
        ranked = sorted(group, key=_freshness, reverse=True)
        kept.append(ranked[0])
        dropped.extend((p, ranked[0]) for p in ranked[1:])
    return kept, dropped


def _freshness(p: Payload) -> tuple[str, str, int]:
    obs = p.result.observations
    last_period = obs["period"].max() if len(obs) else ""
    return (p.result.upstream_updated or "", last_period, len(obs))


def build_from_raw(raw_dir: Path, warehouse: Path) -> BuildReport:
    started = _now()
    payloads = read_raw(raw_dir)
    kept, dropped = choose_latest(payloads)
    report = BuildReport(warehouse, "raw")
    with new_warehouse(warehouse) as con:
        for p in kept:
            _insert_payload(con, p)
        _insert_codelists(con)
        report.catalogue = write_catalogue(con)
        for old, new in dropped:
            note = f"superseded by {new.location} (later upstream update or data)"
            _log_fetch(con, old, "superseded", note)
            report.superseded.append(f"{old.location}: {note}")
        report.observations = _finish(con, "raw", str(raw_dir))
        report.datasets = con.execute("SELECT count(*) FROM datasets").fetchone()[0]
    report.seconds = (_now() - started).total_seconds()
    return report


def _insert_payload(con: duckdb.DuckDBPyConnection, p: Payload) -> None:
    r = p.result
    if r.reference is not None:
        _insert_frame(con, "geo_reference", r.reference)
        _log_fetch(con, p, "ok")
        return
    _insert_frame(con, "observations", r.observations.assign(fetched_at=p.read_at.replace(tzinfo=None)))
    _insert_frame(con, "labels", r.labels.drop_duplicates(["dimension", "code", "lang"]))
    src = SOURCES[r.source]
    con.execute(
        "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            r.source, r.dataset, r.title, r.format, p.location, p.sha256, p.bytes, r.upstream_updated,
            p.read_at.replace(tzinfo=None), len(r.observations), src.licence,
            attribution(r.source, r.dataset), "; ".join(r.notes) or None,
        ],
    )  # fmt: skip
    _log_fetch(con, p, "ok")


def _insert_codelists(con: duckdb.DuckDBPyConnection) -> None:
    """Eurostat code → label pairs for payloads that carry codes only (TSV, SDMX-CSV 1.0)."""
    files = sorted(CODELISTS.glob("*.csv"))
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    # Rows with dimension 'dimension' name the dimensions themselves (size_emp → "Size classes ...").
    codes = pd.concat(frames).drop_duplicates(["dimension", "code"])
    rows = codes.assign(source="eurostat", dataset=ANY_DATASET, lang="en")[
        ["source", "dataset", "dimension", "code", "lang", "label"]
    ]
    _insert_frame(con, "labels", rows)


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.register("_frame", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    finally:
        con.unregister("_frame")


def _log_fetch(con, p: Payload, status: str, error: str | None = None) -> None:
    r = p.result
    n = len(r.reference) if r.reference is not None else len(r.observations)
    con.execute(
        "INSERT INTO fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            r.source, r.dataset, p.location, r.format, p.read_at.replace(tzinfo=None),
            p.read_at.replace(tzinfo=None), status, p.bytes, p.sha256, r.upstream_updated, n, error,
        ],
    )  # fmt: skip


def _finish(con: duckdb.DuckDBPyConnection, built_from: str, location: str) -> int:
    dup = con.execute(
        "SELECT source, dataset, series_key, geo, period, count(*) FROM observations "
        "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup:
        raise BuildError(f"duplicate observation key {dup[:5]} ({dup[5]} rows)")
    n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    con.execute(
        "INSERT INTO build_info VALUES (?, ?, ?, ?)", [_now().replace(tzinfo=None), built_from, location, n]
    )
    return n


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- from the snapshot


def build_from_snapshot(snapshot_dir: Path, warehouse: Path) -> BuildReport:
    """Rebuild the warehouse from data/snapshot/ (the embedded default) in about a second."""
    from pipelines import snapshot  # snapshot imports this module for its readers

    started = _now()
    manifest = snapshot.load_manifest(snapshot_dir)
    report = BuildReport(warehouse, "snapshot")
    with new_warehouse(warehouse) as con:
        obs_files = [str(snapshot_dir / d["file"]) for d in manifest["datasets"]]
        con.execute(f"INSERT INTO observations BY NAME SELECT * FROM read_parquet({_sql_list(obs_files)})")
        con.execute(
            f"INSERT INTO labels BY NAME SELECT * FROM read_parquet('{snapshot_dir / snapshot.LABELS}')"
        )
        ref = snapshot_dir / snapshot.GEO_REFERENCE
        if ref.exists():
            con.execute(f"INSERT INTO geo_reference BY NAME SELECT * FROM read_parquet('{ref}')")
        datasets = pd.DataFrame(
            [{k: d.get(k) for k in snapshot.DATASET_FIELDS} for d in manifest["datasets"]]
        )
        datasets["read_at"] = pd.to_datetime(datasets["read_at"], utc=True).dt.tz_localize(None)
        _insert_frame(con, "datasets", datasets)
        fetches = pd.DataFrame(manifest.get("fetches", []))
        if len(fetches):
            for col in ("started", "finished"):
                fetches[col] = pd.to_datetime(fetches[col], utc=True).dt.tz_localize(None)
            _insert_frame(con, "fetches", fetches)
        _insert_codelists(con)
        report.catalogue = write_catalogue(con)
        report.observations = _finish(con, "snapshot", str(snapshot_dir))
        report.datasets = len(manifest["datasets"])
    report.seconds = (_now() - started).total_seconds()
    return report


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join("'" + s.replace("'", "''") + "'" for s in items) + "]"


def warehouse_is_stale(warehouse: Path, snapshot_dir: Path) -> bool:
    """True when the warehouse is missing or older than the snapshot it would be built from."""
    if not warehouse.exists():
        return True
    manifest = snapshot_dir / "manifest.json"
    return manifest.exists() and manifest.stat().st_mtime > warehouse.stat().st_mtime
