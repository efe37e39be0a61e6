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

from pipelines import raw_cache, snapshot
from pipelines.catalogue_tables import CatalogueReport, write_catalogue
from pipelines.readers import ReaderError, ReadResult, read_file
from pipelines.sources import SOURCES, attribution

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
SCHEMA_VERSION = 5  # as inserted by schema.sql; 1 = the layout before schema_version existed
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

    @property
    def is_slice(self) -> bool:
        """A filtered API query (SDMX c[...] filters) or a subset of a database's records (DESI facts) holds
        part of a dataset; a whole-dataset file holds all of it."""
        filtered = self.location.startswith("http") and ("c[" in self.location or "c%5B" in self.location)
        return filtered or self.result.partial


@dataclass
class BuildReport:
    warehouse: Path
    built_from: str
    datasets: int = 0
    observations: int = 0
    seconds: float = 0.0
    superseded: list[str] = field(default_factory=list)
    catalogue: CatalogueReport | None = None


WAREHOUSE_ALIAS = "warehouse"


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The app's and CLI's way in: read-only, so any number of readers can share the file.

    The file is ATTACHed to a fresh in-memory database, not opened with duckdb.connect(path): DuckDB keeps
    one database instance per path in a process, so after a rebuild swapped the file, connect(path) would
    hand back the old file for as long as an old connection lives. Use read_cursor() for per-thread cursors.
    """
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `aiplan build --from-snapshot`")
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": "false"})
    con.execute(f"ATTACH '{_sql_str(path)}' AS {WAREHOUSE_ALIAS} (READ_ONLY)")
    con.execute(f"USE {WAREHOUSE_ALIAS}")
    return con


def read_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a read-only connection, pointed at the warehouse (new cursors start in memory)."""
    cur = con.cursor()
    cur.execute(f"USE {WAREHOUSE_ALIAS}")
    return cur


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


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


def read_raw(raw_dir: Path, skip_sha256: set[str] | None = None) -> list[Payload]:
    """Read every payload of a raw cache (its manifest) or of any folder of upstream files.

    Entries whose sha256 is in `skip_sha256` (bytes the warehouse already holds) are not read again.
    """
    entries = raw_cache.load_manifest(raw_dir)
    if entries:
        skip = skip_sha256 or set()
        files = [
            (raw_dir / e.path, e.dataset, e.original, e.upstream_updated)
            for e in entries
            if e.sha256 not in skip
        ]
    else:
        files = [(f, None, str(f), None) for f in raw_cache.data_files([raw_dir])]
    if not files and not entries:
        raise BuildError(f"{raw_dir}: no upstream files found")
    payloads = []
    for path, dataset, original, upstream in files:
        try:
            result = read_file(path, dataset=dataset)
        except ReaderError as exc:
            raise BuildError(str(exc)) from exc
        if result.upstream_updated is None and upstream:
            # A filtered SDMX-CSV slice carries no date; the fetch recorded Eurostat's table-of-contents date.
            result.upstream_updated = upstream
            result.observations["upstream_updated"] = result.observations["upstream_updated"].fillna(upstream)
        location = original if original.startswith("http") else Path(original).name
        payloads.append(Payload(result, location, raw_cache.sha256_of(path), path.stat().st_size, _now()))
    return payloads


def choose_latest(payloads: list[Payload]) -> tuple[list[Payload], list[tuple[Payload, Payload]]]:
    """Keep one payload per dataset, never splicing two: the latest upstream update, else the furthest data.

    Payloads that are subsets of one database (DESI facts, `ReadResult.partial`) are unioned instead: each
    holds other KPIs of the same records, so none supersedes another. Returns the kept payloads and
    (superseded, kept) pairs.
    """
    by_key: dict[tuple[str, str, str], list[Payload]] = {}
    for p in payloads:
        kind = "reference" if p.result.reference is not None else "observations"
        by_key.setdefault((p.result.source, p.result.dataset, kind), []).append(p)
    kept, dropped = [], []
    for group in by_key.values():
        if len(group) > 1 and all(p.result.partial for p in group):
            kept.append(_union(group))
            continue
        ranked = sorted(group, key=_freshness, reverse=True)
        kept.append(ranked[0])
        dropped.extend((p, ranked[0]) for p in ranked[1:])
    return kept, dropped


def _union(group: list[Payload]) -> Payload:
    """Several record subsets of one dataset → one payload; on a shared key the later edition, then the later
    upstream update, wins (the rows of one key are never averaged or mixed)."""
    ranked = sorted(group, key=_freshness, reverse=True)
    frames = [p.result.observations for p in ranked]
    obs = pd.concat(frames, ignore_index=True)
    order = obs["edition"].fillna("").to_numpy()
    obs = obs.assign(_ed=order).sort_values("_ed", ascending=False, kind="stable").drop(columns="_ed")
    key = ["source", "dataset", "series_key", "geo", "period"]
    shared = int(obs.duplicated(key).sum())
    obs = obs.drop_duplicates(key, keep="first").sort_values(key, kind="stable").reset_index(drop=True)
    first = ranked[0].result
    notes = [n for p in ranked for n in p.result.notes]
    if shared:
        notes.append(f"{shared} value(s) present in two files: the later edition or update was kept")
    result = ReadResult(
        format=first.format,
        source=first.source,
        dataset=first.dataset,
        observations=obs,
        labels=pd.concat([p.result.labels for p in ranked], ignore_index=True),
        upstream_updated=max((p.result.upstream_updated or "" for p in ranked), default="") or None,
        title=first.title,
        notes=notes,
        partial=True,
    )
    return Payload(
        result,
        "; ".join(p.location for p in ranked),
        ",".join(sorted(p.sha256 for p in ranked)),
        sum(p.bytes for p in ranked),
        max(p.read_at for p in ranked),
    )


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


def _finish(
    con: duckdb.DuckDBPyConnection, built_from: str, location: str, snapshot_sha256: str | None = None
) -> int:
    dup = con.execute(
        "SELECT source, dataset, series_key, geo, period, count(*) FROM observations "
        "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup:
        raise BuildError(f"duplicate observation key {dup[:5]} ({dup[5]} rows)")
    n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    con.execute(
        "INSERT INTO build_info (built_at, built_from, location, n_obs, snapshot_sha256) "
        "VALUES (?, ?, ?, ?, ?)",
        [_now().replace(tzinfo=None), built_from, location, n, snapshot_sha256],
    )
    return n


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- from the snapshot


def build_from_snapshot(snapshot_dir: Path, warehouse: Path) -> BuildReport:
    """Rebuild the warehouse from data/snapshot/ (the embedded default) in about a second."""
    started = _now()
    report = BuildReport(warehouse, "snapshot")
    with new_warehouse(warehouse) as con:
        report.datasets = _load_snapshot(con, snapshot_dir)
        _insert_codelists(con)
        report.catalogue = write_catalogue(con)
        report.observations = _finish(con, "snapshot", str(snapshot_dir), snapshot_sha256(snapshot_dir))
    report.seconds = (_now() - started).total_seconds()
    return report


def snapshot_sha256(snapshot_dir: Path) -> str | None:
    manifest = snapshot_dir / "manifest.json"
    return raw_cache.sha256_of(manifest) if manifest.exists() else None


def _load_snapshot(con: duckdb.DuckDBPyConnection, snapshot_dir: Path) -> int:
    manifest = snapshot.load_manifest(snapshot_dir)
    obs_files = [str(snapshot_dir / d["file"]) for d in manifest["datasets"]]
    con.execute(f"INSERT INTO observations BY NAME SELECT * FROM read_parquet({_sql_list(obs_files)})")
    con.execute(f"INSERT INTO labels BY NAME SELECT * FROM read_parquet('{snapshot_dir / snapshot.LABELS}')")
    ref = snapshot_dir / snapshot.GEO_REFERENCE
    if ref.exists():
        con.execute(f"INSERT INTO geo_reference BY NAME SELECT * FROM read_parquet('{ref}')")
    datasets = pd.DataFrame([{k: d.get(k) for k in snapshot.DATASET_FIELDS} for d in manifest["datasets"]])
    datasets["read_at"] = pd.to_datetime(datasets["read_at"], utc=True).dt.tz_localize(None)
    _insert_frame(con, "datasets", datasets)
    fetches = pd.DataFrame(manifest.get("fetches", []))
    if len(fetches):
        for col in ("started", "finished"):
            fetches[col] = pd.to_datetime(fetches[col], utc=True).dt.tz_localize(None)
        _insert_frame(con, "fetches", fetches)
    return len(manifest["datasets"])


# ---------------------------------------------------------------- refresh: current data + new payloads

CARRIED = ("observations", "observation_history", "datasets", "fetches", "geo_reference")


@dataclass
class DatasetChange:
    source: str
    dataset: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0


def build_refresh(raw_dir: Path, warehouse: Path, snapshot_dir: Path, fetch_log: list[dict]) -> tuple[
    BuildReport, list[DatasetChange]
]:  # fmt: skip
    """The current warehouse (or the snapshot) with every dataset whose payload changed replaced.

    Datasets that failed to fetch keep their last good observations; every value that changed is kept in
    observation_history with both upstream dates. Written to a new file and swapped in atomically.
    """
    started = _now()
    report = BuildReport(warehouse, "refresh")
    changes = []
    with new_warehouse(warehouse) as con:
        if not _carry_over(con, warehouse):
            _load_snapshot(con, snapshot_dir)
        held = {  # a unioned dataset records the sha256 of each of its files, comma-separated
            sha
            for (shas,) in con.execute("SELECT sha256 FROM datasets WHERE sha256 IS NOT NULL").fetchall()
            for sha in shas.split(",")
        }
        fresh = read_raw(raw_dir, skip_sha256=held) if raw_cache.load_manifest(raw_dir) else []
        payloads, _ = choose_latest(fresh)
        for p in payloads:
            changes.append(_replace_dataset(con, p))
        _insert_fetch_log(con, fetch_log)
        _insert_codelists(con)
        report.catalogue = write_catalogue(con)
        report.observations = _finish(con, "refresh", str(raw_dir))
        report.datasets = con.execute("SELECT count(*) FROM datasets").fetchone()[0]
    report.seconds = (_now() - started).total_seconds()
    return report, changes


def _carry_over(con: duckdb.DuckDBPyConnection, current: Path) -> bool:
    """Copy the current warehouse's data tables (by column name); False when there is no warehouse.

    An older layout is migrated: columns it lacks are filled with NULL. A layout this version cannot read
    (a newer warehouse, or a table whose columns no longer fit) stops the build with BuildError, so refreshed
    observations and their history are never dropped on the way.
    """
    if not current.exists():
        return False
    con.execute(f"ATTACH '{_sql_str(current)}' AS current (READ_ONLY)")
    try:
        version = _schema_version(con, "current")
        if version > SCHEMA_VERSION:
            raise BuildError(f"{current} was built by a newer aiplan (layout {version}, this one reads up to "
                             f"{SCHEMA_VERSION}); it is left untouched")  # fmt: skip
        for table in CARRIED:
            try:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM current.{table}")
            except duckdb.Error as exc:
                raise BuildError(
                    f"{current}: table {table} (layout {version}) cannot be carried into layout "
                    f"{SCHEMA_VERSION} ({exc}); the warehouse is left untouched and nothing was dropped"
                ) from exc
        con.execute("INSERT INTO labels BY NAME SELECT * FROM current.labels WHERE dataset <> '*'")
    finally:
        con.execute("DETACH current")
    return True


def _schema_version(con: duckdb.DuckDBPyConnection, alias: str) -> int:
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_name = 'schema_version'",
        [alias],
    ).fetchone()[0]
    if not has:
        return 1
    return con.execute(f"SELECT max(version) FROM {alias}.schema_version").fetchone()[0]


def _replace_dataset(con: duckdb.DuckDBPyConnection, p: Payload) -> DatasetChange:
    """Put a new payload into its dataset; what changed or was withdrawn goes to observation_history.

    A whole-dataset file replaces the dataset. A catalogue slice covers a few series of a dataset the
    snapshot may hold whole: only the series and geos it covers are replaced, the rest is kept (not
    withdrawn); within them, a period the slice no longer has is withdrawn.
    """
    r = p.result
    change = DatasetChange(r.source, r.dataset)
    if r.reference is not None:
        con.execute("DELETE FROM geo_reference")
        _insert_frame(con, "geo_reference", r.reference)
        _log_fetch(con, p, "ok")
        return change
    con.register("_new", r.observations.assign(fetched_at=p.read_at.replace(tzinfo=None)))
    # A slice replaces only the series and geos it covers; a whole-dataset file replaces the dataset.
    scope = "AND (series_key, geo) IN (SELECT DISTINCT series_key, geo FROM _new)" if p.is_slice else ""
    try:
        con.execute(
            f"CREATE TEMP TABLE _old AS SELECT * FROM observations WHERE source = ? AND dataset = ? {scope}",
            [r.source, r.dataset],
        )
        change.added, change.changed, change.unchanged, change.removed = con.execute(_DIFF_COUNTS).fetchone()
        con.execute(_HISTORY, [p.read_at.replace(tzinfo=None)])
        # _insert_payload below writes the new observations, labels and dataset row, once.
        con.execute(
            f"DELETE FROM observations WHERE source = ? AND dataset = ? {scope}", [r.source, r.dataset]
        )
        con.execute("DELETE FROM datasets WHERE source = ? AND dataset = ?", [r.source, r.dataset])
    finally:
        con.execute("DROP TABLE IF EXISTS _old")
        con.unregister("_new")
    _insert_payload(con, p)
    args = [r.source, r.dataset]
    con.execute(
        "UPDATE datasets SET n_obs = (SELECT count(*) FROM observations WHERE source = ? AND dataset = ?) "
        "WHERE source = ? AND dataset = ?",
        args + args,
    )
    _dedupe_labels(con, r.source, r.dataset)
    return change


def _dedupe_labels(con: duckdb.DuckDBPyConnection, source: str, dataset: str) -> None:
    """Old labels stay (a slice carries fewer than a full payload); where both name a code, the newer wins."""
    con.execute(
        "CREATE TEMP TABLE _labels AS SELECT * EXCLUDE (n) FROM (SELECT *, row_number() OVER "
        "(PARTITION BY dimension, code, lang ORDER BY rowid DESC) AS n FROM labels "
        "WHERE source = ? AND dataset = ?) "
        "WHERE n = 1",
        [source, dataset],
    )
    con.execute("DELETE FROM labels WHERE source = ? AND dataset = ?", [source, dataset])
    con.execute("INSERT INTO labels SELECT * FROM _labels")
    con.execute("DROP TABLE _labels")


_KEY = "source, dataset, series_key, geo, period"
_DIFFERS = (
    "(o.value IS DISTINCT FROM n.value OR o.obs_flag IS DISTINCT FROM n.obs_flag "
    "OR o.conf_flag IS DISTINCT FROM n.conf_flag)"
)
_DIFF_COUNTS = f"""
SELECT count(*) FILTER (WHERE o.geo IS NULL),
       count(*) FILTER (WHERE o.geo IS NOT NULL AND n.geo IS NOT NULL AND {_DIFFERS}),
       count(*) FILTER (WHERE o.geo IS NOT NULL AND n.geo IS NOT NULL AND NOT {_DIFFERS}),
       count(*) FILTER (WHERE n.geo IS NULL)
FROM _old o FULL JOIN _new n USING ({_KEY})
"""
# A changed or withdrawn value keeps its old version; a withdrawn one has NULL new values.
_HISTORY = f"""
INSERT INTO observation_history
SELECT source, dataset, series_key, geo, period, o.value, o.obs_flag, o.conf_flag, o.upstream_updated,
       n.value, n.obs_flag, n.conf_flag, n.upstream_updated, ?
FROM _old o LEFT JOIN _new n USING ({_KEY})
WHERE n.geo IS NULL OR {_DIFFERS}
"""


_NOT_OK = ("failed", "skipped")


def _insert_fetch_log(con: duckdb.DuckDBPyConnection, log: list[dict]) -> None:
    if not log:
        return
    rows = pd.DataFrame(
        [
            {
                "source": e["source"], "dataset": e["dataset"], "location": e["url"], "format": None,
                "started": e["started"], "finished": e.get("finished"),
                # a dataset fetched without some codes Eurostat rejected is "partial", the codes in `error`
                "status": "partial" if e.get("rejected") and e["status"] == "updated" else e["status"],
                "bytes": e["bytes"],
                "sha256": None, "upstream_updated": e.get("upstream_updated"), "n_obs": e.get("rows"),
                "error": e.get("reason") if e["status"] in _NOT_OK or e.get("rejected") else None,
            }
            for e in log
        ]
    )  # fmt: skip
    for col in ("started", "finished"):
        rows[col] = pd.to_datetime(rows[col], utc=True).dt.tz_localize(None)
    con.execute("DELETE FROM fetches WHERE location LIKE 'http%'")  # the log file holds the whole history
    _insert_frame(con, "fetches", rows)


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join("'" + s.replace("'", "''") + "'" for s in items) + "]"


def built_from(warehouse: Path) -> tuple[str | None, str | None]:
    """(built_from, snapshot manifest sha256) of a warehouse; (None, None) when it cannot be read."""
    try:
        con = connect_read_only(warehouse)
    except (FileNotFoundError, duckdb.Error):
        return None, None
    try:
        cols = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'build_info'"
        ).fetchall()
        sha = "snapshot_sha256" if ("snapshot_sha256",) in cols else "NULL"
        row = con.execute(
            f"SELECT built_from, {sha} FROM build_info ORDER BY built_at DESC LIMIT 1"
        ).fetchone()
    except duckdb.Error:
        return None, None
    finally:
        con.close()
    return (row[0], row[1]) if row else (None, None)


def snapshot_build_needed(warehouse: Path, snapshot_dir: Path) -> tuple[bool, str]:
    """Whether the bundled snapshot should (re)build the warehouse, and why, in words for the log.

    Only when there is no warehouse, or the warehouse was itself built from a snapshot other than the one
    bundled now. A warehouse a refresh or an import built is never replaced by the snapshot: its data is
    newer than the snapshot's and its observation_history exists nowhere else. File times do not count
    (a `git pull` or a checkout touches every snapshot file).
    """
    if not warehouse.exists():
        return True, "no warehouse yet"
    origin, sha = built_from(warehouse)
    if origin is None:
        return False, f"{warehouse} exists but cannot be read; it is left as it is"
    if origin != "snapshot":
        return False, f"{warehouse} holds {origin} data, newer than the bundled snapshot; kept"
    current = snapshot_sha256(snapshot_dir)
    if current is not None and sha != current:
        return True, "the bundled snapshot changed since the warehouse was built from it"
    return False, "the warehouse is the bundled snapshot's"
