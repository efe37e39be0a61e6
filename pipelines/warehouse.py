"""Read payloads (raw files or the snapshot) → a new DuckDB warehouse file swapped in atomically.

The layout is schema.sql with its `${name}` value lists filled from the vocabulary here (`schema_ddl`): the
SQL file stays the one place to read the tables, keys and CHECKs, and no allowed value is typed twice (a
CHECK generated in Python would hide the layout in string building). Every build ends with the queries of
invariants.sql, which must return no rows; one that returns any stops the build and the previous warehouse
stays.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from indicators.vocabulary import (
    DIRECTION_STATUSES,
    DIRECTIONS,
    NO_STATUS,
    POSITIONS,
    RESOLUTIONS,
    STATUS_KINDS,
    STATUSES,
)
from pipelines import raw_cache, snapshot
from pipelines.catalogue_tables import CatalogueReport, write_catalogue
from pipelines.invariants import InvariantError, check_invariants
from pipelines.readers import ReaderError, ReadResult, read_file
from pipelines.sources import SOURCES, attribution
from pipelines.upstream_time import SQL_MACRO, instant

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
SCHEMA_VERSION = 8  # as inserted by schema.sql; 1 = the layout before schema_version existed
# 6: upstream_updated a TIMESTAMPTZ beside upstream_stated (text); keys and CHECKs; DESI editions and the
# Statbel geography out of labels. 7: German, the fourth language: objectives.title_de and description_de, and
# the stored catalogue entries (indicators.spec) with documents and reference-level notes in every language (a
# layout-6 spec no longer validates, so the catalogue is rewritten). 8: the assessments of every build kept
# (assessment_history, build_info.build_id) and the values a refresh added (observation_added); a layout-7
# warehouse's assessments become the first build of its history.
# Older layouts are carried over by _carry_over.
CODELISTS = Path(__file__).with_name("codelists")
ANY_DATASET = "*"  # labels that hold for every Eurostat dataset (shared code lists)
BUILT_FROM = ("snapshot", "raw", "refresh")
# Reads log ok | superseded; a refresh's fetch log updated | unchanged | partial | failed | skipped.
FETCH_STATUSES = ("ok", "superseded", "updated", "unchanged", "partial", "failed", "skipped")
# What schema.sql's ${name} placeholders stand for.
SCHEMA_VALUES: dict[str, tuple[str, ...]] = {
    "sources": tuple(SOURCES),
    "statuses": STATUSES,
    "status_kinds": STATUS_KINDS,
    "direction_statuses": (*DIRECTION_STATUSES, NO_STATUS),
    "directions": DIRECTIONS,
    "positions": POSITIONS,
    "resolutions": RESOLUTIONS,
    "built_from": BUILT_FROM,
    "fetch_statuses": FETCH_STATUSES,
}


class BuildError(RuntimeError):
    """A build that stopped; the current warehouse was left untouched."""


def schema_ddl() -> str:
    """schema.sql with each ${name} replaced by its quoted value list; an unknown name is an error."""

    def values(m: re.Match) -> str:
        return ", ".join("'" + v.replace("'", "''") + "'" for v in SCHEMA_VALUES[m.group(1)])

    return re.sub(r"\$\{(\w+)\}", values, SCHEMA_SQL.read_text(encoding="utf-8"))


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
        con.execute(SQL_MACRO)
        con.execute(schema_ddl())
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


def _freshness(p: Payload) -> tuple[datetime, str, int]:
    obs = p.result.observations
    last_period = obs["period"].max() if len(obs) else ""
    return (instant(p.result.upstream_updated) or _NEVER, last_period, len(obs))


_NEVER = datetime.min.replace(tzinfo=UTC)  # a payload that states no update ranks below every dated one


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
    _insert_labels(con, r.labels.drop_duplicates(["dimension", "code", "lang"]))
    src = SOURCES[r.source]
    row = {
        "source": r.source, "dataset": r.dataset, "title": r.title, "format": r.format,
        "location": p.location, "sha256": p.sha256, "bytes": p.bytes, "upstream_updated": r.upstream_updated,
        "read_at": p.read_at.replace(tzinfo=None), "n_obs": len(r.observations), "licence": src.licence,
        "attribution": attribution(r.source, r.dataset), "notes": "; ".join(r.notes) or None,
    }  # fmt: skip
    _insert_frame(con, "datasets", pd.DataFrame([row]))
    _log_fetch(con, p, "ok")


def _insert_codelists(con: duckdb.DuckDBPyConnection) -> None:
    """pipelines/codelists/labels.csv (every language; built by build_labels.py) → labels, dataset '*'."""
    codes = pd.read_csv(CODELISTS / "labels.csv", dtype=str, keep_default_na=False)
    # Rows with dimension 'dimension' name the dimensions themselves (size_emp → "Size classes ...").
    rows = codes.assign(dataset=ANY_DATASET)[["source", "dataset", "dimension", "code", "lang", "label"]]
    _insert_frame(con, "labels", rows)


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    """Insert a frame by column name; its upstream dates (text as read) become instants beside the text."""
    con.register("_frame", df)
    try:
        _insert_select(con, table, "_frame", list(df.columns), verb="INSERT")
    finally:
        con.unregister("_frame")


def _insert_select(
    con: duckdb.DuckDBPyConnection, table: str, relation: str, columns: list[str], verb: str = "INSERT"
) -> None:
    """INSERT INTO table BY NAME from `relation`, whose *upstream_updated columns hold the publisher's text:
    each becomes the instant (upstream_instant) and its text goes to the *upstream_stated column beside it.
    A key or CHECK the rows break stops the build, naming the table."""
    texts = [c for c in columns if c.endswith("upstream_updated")]
    replace = ", ".join(f"upstream_instant(CAST({c} AS VARCHAR)) AS {c}" for c in texts)
    stated = "".join(f", CAST({c} AS VARCHAR) AS {_stated(c)}" for c in texts)
    select = f"SELECT * REPLACE ({replace}){stated}" if texts else "SELECT *"
    try:
        con.execute(f"{verb} INTO {table} BY NAME {select} FROM {relation}")
    except duckdb.ConstraintException as exc:
        raise BuildError(f"{table}: {exc}") from exc


def _stated(column: str) -> str:
    """upstream_updated → upstream_stated, new_upstream_updated → new_upstream_stated."""
    return column.removesuffix("upstream_updated") + "upstream_stated"


def _insert_labels(con: duckdb.DuckDBPyConnection, labels: pd.DataFrame | str) -> None:
    """Label rows as the readers give them (a frame, or a relation in SQL) → labels, and the Statbel geography
    → statbel_geo_parents and statbel_geo_names; DESI edition rows are left out (observations.edition
    holds each value's edition). Where a key is there already, the newer row wins (a refresh's payload)."""
    relation = "_frame"
    if isinstance(labels, str):
        relation = labels
    else:
        con.register("_frame", labels)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _labels_in AS "
            f"SELECT source, dataset, dimension, code, lang, label FROM {relation}"
        )
    finally:
        if not isinstance(labels, str):
            con.unregister("_frame")
    try:
        # Statbel's geo.<column> rows: the geo's parent at that level, carried as its "label".
        con.execute(
            "INSERT OR REPLACE INTO statbel_geo_parents BY NAME "
            "SELECT dataset, code AS geo, substr(dimension, 5) AS level, label AS parent FROM _labels_in "
            "WHERE source = 'statbel' AND dimension LIKE 'geo.%' AND coalesce(label, '') <> ''"
        )
        geography = (
            "source = 'statbel' AND (dimension = 'geo' OR dimension LIKE 'geo.%' OR dimension IN "
            "(SELECT level FROM statbel_geo_parents p WHERE p.dataset = _labels_in.dataset))"
        )
        con.execute(
            "INSERT OR REPLACE INTO statbel_geo_names BY NAME "
            "SELECT dataset, dimension AS level, code, lang, label AS name FROM _labels_in "
            f"WHERE {geography} AND dimension NOT LIKE 'geo.%' AND coalesce(label, '') <> ''"
        )
        con.execute(
            "INSERT OR REPLACE INTO labels BY NAME SELECT * FROM _labels_in "
            f"WHERE NOT ({geography}) AND NOT (source = 'desi' AND dimension = 'edition')"
        )
    except duckdb.ConstraintException as exc:
        raise BuildError(f"labels: {exc}") from exc
    finally:
        con.execute("DROP TABLE IF EXISTS _labels_in")


def _log_fetch(con, p: Payload, status: str, error: str | None = None) -> None:
    r = p.result
    n = len(r.reference) if r.reference is not None else len(r.observations)
    row = {
        "source": r.source, "dataset": r.dataset, "location": p.location, "format": r.format,
        "started": p.read_at.replace(tzinfo=None), "finished": p.read_at.replace(tzinfo=None),
        "status": status, "bytes": p.bytes, "sha256": p.sha256, "upstream_updated": r.upstream_updated,
        "n_obs": n, "error": error,
    }  # fmt: skip
    _insert_frame(con, "fetches", pd.DataFrame([row]))


def _finish(
    con: duckdb.DuckDBPyConnection, built_from: str, location: str, snapshot_sha256: str | None = None
) -> int:
    """Record the build, then check invariants.sql: a warehouse that breaks one is never swapped in."""
    n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    built_at = _now().replace(tzinfo=None)
    build_id = f"{built_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    con.execute(
        "INSERT INTO build_info (built_at, built_from, location, n_obs, snapshot_sha256, build_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [built_at, built_from, location, n, snapshot_sha256, build_id],
    )
    # This build's assessments join those of the builds before it (carried over by a refresh).
    con.execute(_KEEP_ASSESSMENTS, [build_id, built_at])
    try:
        check_invariants(con)
    except InvariantError as exc:
        raise BuildError(str(exc)) from exc
    return n


_KEEP_ASSESSMENTS = """
INSERT INTO assessment_history BY NAME
SELECT ? AS build_id, ? AS built_at, indicator_id, geo, status, status_kind, latest_period, latest_value
FROM assessments
"""


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
    # The snapshot keeps each upstream date as the publisher states it (text); the load adds the instant.
    obs = f"read_parquet({_sql_list(obs_files)})"
    _insert_select(con, "observations", obs, _parquet_columns(con, obs))
    # Shared code lists ('*') come from pipelines/codelists (_insert_codelists), never from the snapshot.
    _insert_labels(
        con, f"(SELECT * FROM read_parquet('{snapshot_dir / snapshot.LABELS}') WHERE dataset <> '*')"
    )
    for table, name in (("geo_reference", snapshot.GEO_REFERENCE), ("statbel_geo_names", snapshot.GEO_NAMES),
                        ("statbel_geo_parents", snapshot.GEO_PARENTS)):  # fmt: skip
        if (snapshot_dir / name).exists():
            _insert_select(con, table, f"read_parquet('{snapshot_dir / name}')", [])
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
HISTORIES = ("assessment_history", "observation_added")  # layout 8 on


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


def _parquet_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _carry_over(con: duckdb.DuckDBPyConnection, current: Path) -> bool:
    """Copy the current warehouse's data tables (by column name); False when there is no warehouse.

    An older layout is migrated: columns it lacks are filled with NULL; an upstream date it holds as text
    (layouts before 6) becomes the instant with the text beside it; its labels are sorted into labels and
    the Statbel geography tables. A layout this version cannot read (a newer warehouse, or a table whose
    columns no longer fit) stops the build with BuildError, so refreshed observations and their history are
    never dropped on the way.
    """
    if not current.exists():
        return False
    con.execute(f"ATTACH '{_sql_str(current)}' AS current (READ_ONLY)")
    try:
        version = _schema_version(con, "current")
        if version > SCHEMA_VERSION:
            raise BuildError(f"{current} was built by a newer aiplan (layout {version}, this one reads up to "
                             f"{SCHEMA_VERSION}); it is left untouched")  # fmt: skip
        for table in CARRIED + _GEOGRAPHY:
            if table in _GEOGRAPHY and version < 6:
                continue  # in the labels of older layouts, sorted out below
            try:
                _insert_select(con, table, f"current.{table}", _text_columns(con, table))
            except (duckdb.Error, BuildError) as exc:
                raise BuildError(
                    f"{current}: table {table} (layout {version}) cannot be carried into layout "
                    f"{SCHEMA_VERSION} ({exc}); the warehouse is left untouched and nothing was dropped"
                ) from exc
        _insert_labels(con, "(SELECT * FROM current.labels WHERE dataset <> '*')")
        _carry_histories(con, current, version)
    finally:
        con.execute("DETACH current")
    return True


_GEOGRAPHY = ("statbel_geo_names", "statbel_geo_parents")


def _carry_histories(con: duckdb.DuckDBPyConnection, current: Path, version: int) -> None:
    """The assessment history and the added values; a layout before 8 kept no history, so its current
    assessments become the first build of the history, under an id made from its build time."""
    if version >= 8:
        for table in HISTORIES:
            _insert_select(con, table, f"current.{table}", [])
        return
    if version < 7:
        return  # layouts before 7 are rewritten from their observations; their assessments are not kept
    try:
        con.execute(
            "INSERT INTO assessment_history BY NAME "
            "SELECT 'layout7-' || strftime(b.built_at, '%Y%m%dT%H%M%S') AS build_id, b.built_at, "
            "a.indicator_id, a.geo, a.status, a.status_kind, a.latest_period, a.latest_value "
            "FROM current.assessments a, (SELECT max(built_at) AS built_at FROM current.build_info) b"
        )
    except duckdb.Error as exc:
        raise BuildError(
            f"{current}: its assessments (layout {version}) cannot be carried into assessment_history "
            f"({exc}); the warehouse is left untouched"
        ) from exc


def _text_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The *upstream_updated columns of current.<table> that an older layout holds as text."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'current' "
        "AND table_name = ? AND column_name LIKE '%upstream_updated' AND data_type = 'VARCHAR'",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


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
    new = r.observations.assign(fetched_at=p.read_at.replace(tzinfo=None))
    con.execute("CREATE OR REPLACE TEMP TABLE _new AS SELECT * FROM observations LIMIT 0")
    con.register("_frame", new)
    try:
        _insert_select(con, "_new", "_frame", list(new.columns))
    finally:
        con.unregister("_frame")
    # A slice replaces only the series and geos it covers; a whole-dataset file replaces the dataset.
    scope = "AND (series_key, geo) IN (SELECT DISTINCT series_key, geo FROM _new)" if p.is_slice else ""
    try:
        con.execute(
            f"CREATE TEMP TABLE _old AS SELECT * FROM observations WHERE source = ? AND dataset = ? {scope}",
            [r.source, r.dataset],
        )
        change.added, change.changed, change.unchanged, change.removed = con.execute(_DIFF_COUNTS).fetchone()
        con.execute(_HISTORY, [p.read_at.replace(tzinfo=None)])
        con.execute(_ADDED, [p.read_at.replace(tzinfo=None)])
        # _insert_payload below writes the new observations, labels and dataset row, once.
        con.execute(
            f"DELETE FROM observations WHERE source = ? AND dataset = ? {scope}", [r.source, r.dataset]
        )
        con.execute("DELETE FROM datasets WHERE source = ? AND dataset = ?", [r.source, r.dataset])
    finally:
        con.execute("DROP TABLE IF EXISTS _old")
        con.execute("DROP TABLE IF EXISTS _new")
    _insert_payload(con, p)
    args = [r.source, r.dataset]
    con.execute(
        "UPDATE datasets SET n_obs = (SELECT count(*) FROM observations WHERE source = ? AND dataset = ?) "
        "WHERE source = ? AND dataset = ?",
        args + args,
    )
    # Old labels stay (a slice carries fewer than a full payload); where both name a code, _insert_labels
    # let the newer win.
    return change


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
INSERT INTO observation_history BY NAME
SELECT source, dataset, series_key, geo, period,
       o.value AS old_value, o.obs_flag AS old_obs_flag, o.conf_flag AS old_conf_flag,
       o.upstream_updated AS old_upstream_updated, o.upstream_stated AS old_upstream_stated,
       n.value AS new_value, n.obs_flag AS new_obs_flag, n.conf_flag AS new_conf_flag,
       n.upstream_updated AS new_upstream_updated, n.upstream_stated AS new_upstream_stated,
       ?::TIMESTAMP AS changed_at
FROM _old o LEFT JOIN _new n USING ({_KEY})
WHERE n.geo IS NULL OR {_DIFFERS}
"""

# A key the dataset did not hold before: a new value, with when the project first saw it.
_ADDED = f"""
INSERT INTO observation_added BY NAME
SELECT source, dataset, series_key, geo, period, n.value, n.obs_flag, n.upstream_updated, n.upstream_stated,
       ?::TIMESTAMP AS added_at
FROM _new n ANTI JOIN _old o USING ({_KEY})
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
    if layout(warehouse) < SCHEMA_VERSION:
        return True, "the warehouse has an older layout than this aiplan reads"
    return False, "the warehouse is the bundled snapshot's"


def migration_needed(warehouse: Path) -> bool:
    """A warehouse a refresh or an import built, in an older layout than this code reads: it is migrated
    (migrate_refreshed), never replaced by the snapshot."""
    origin, _ = built_from(warehouse)
    return origin not in (None, "snapshot") and 0 < layout(warehouse) < SCHEMA_VERSION


def migrate_refreshed(warehouse: Path, raw_dir: Path, snapshot_dir: Path) -> BuildReport:
    """Carry a refreshed warehouse of an older layout into this one, offline: its observations, history,
    datasets and fetches are carried over (converted), the catalogue and assessments rewritten; no payload
    is fetched. A layout that cannot be carried over raises BuildError and leaves the file as it was."""
    report, _ = build_refresh(raw_dir, warehouse, snapshot_dir, [])
    return report


def layout(warehouse: Path) -> int:
    """The schema_version of a warehouse file (1: before schema_version existed; 0: unreadable)."""
    try:
        con = connect_read_only(warehouse)
    except (FileNotFoundError, duckdb.Error):
        return 0
    try:
        return _schema_version(con, WAREHOUSE_ALIAS)
    except duckdb.Error:
        return 0
    finally:
        con.close()
