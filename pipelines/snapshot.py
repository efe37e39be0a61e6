"""Warehouse → data/snapshot/ (Parquet per dataset, labels, manifest.json): the committed embedded default."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import raw_cache
from pipelines.readers import ReaderError

MANIFEST = "manifest.json"
LABELS = "labels.parquet"
GEO_REFERENCE = "reference/geo_reference.parquet"
GEO_NAMES = "reference/statbel_geo_names.parquet"
GEO_PARENTS = "reference/statbel_geo_parents.parquet"
# The snapshot keeps each upstream date as the publisher states it (text, under upstream_updated) and in the
# order of the first snapshots; a build reads the instant from it (pipelines/upstream_time.py).
OBSERVATION_COLUMNS = (
    "source, dataset, series_key, geo, period, value, obs_flag, conf_flag, "
    "upstream_stated AS upstream_updated, fetched_at, edition"
)
DATASET_FIELDS = [
    "source", "dataset", "title", "format", "location", "sha256", "bytes", "upstream_updated",
    "read_at", "n_obs", "licence", "attribution", "notes",
]  # fmt: skip
_PARQUET = "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9)"


def write_snapshot(con: duckdb.DuckDBPyConnection, snapshot_dir: Path, raw_dir: Path | None = None) -> dict:
    """Write every dataset of the warehouse open on `con` to a fresh snapshot folder, then swap it in; each
    dataset lists its upstream files (name, checksum, upstream date, where found) from the raw cache.
    The caller opens and closes the connection (so this module never imports the warehouse's)."""
    raw = {e.sha256: e for e in raw_cache.load_manifest(raw_dir)} if raw_dir and raw_dir.is_dir() else {}
    tmp = snapshot_dir.with_name(snapshot_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    fields = ", ".join("upstream_stated AS upstream_updated" if f == "upstream_updated" else f
                       for f in DATASET_FIELDS)  # fmt: skip
    datasets = con.execute(f"SELECT {fields} FROM datasets ORDER BY source, dataset").df()
    entries = []
    for row in datasets.to_dict("records"):
        rel = f"{row['source']}/{row['dataset']}.parquet"
        (tmp / row["source"]).mkdir(exist_ok=True)
        con.execute(
            f"COPY (SELECT {OBSERVATION_COLUMNS} FROM observations WHERE source = ? AND dataset = ? "
            f"ORDER BY series_key, geo, period) TO '{tmp / rel}' {_PARQUET}",
            [row["source"], row["dataset"]],
        )
        row["read_at"] = row["read_at"].isoformat() + "Z" if row["read_at"] is not None else None
        files = [_upstream_file(raw[sha]) for sha in (row["sha256"] or "").split(",") if sha in raw]
        entries.append(
            {**_clean(row), "file": rel, "file_sha256": _sha256(tmp / rel), "upstream_files": files}
        )
    # The shared code lists ('*') live in pipelines/codelists, not in the data.
    con.execute(
        f"COPY (SELECT * FROM labels WHERE dataset <> '*' ORDER BY ALL) TO '{tmp / LABELS}' {_PARQUET}"
    )
    for table, name in (("geo_reference", GEO_REFERENCE), ("statbel_geo_names", GEO_NAMES),
                        ("statbel_geo_parents", GEO_PARENTS)):  # fmt: skip
        if con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            (tmp / "reference").mkdir(exist_ok=True)
            con.execute(f"COPY (SELECT * FROM {table} ORDER BY ALL) TO '{tmp / name}' {_PARQUET}")
    fetches = con.execute(
        "SELECT * EXCLUDE (upstream_updated, upstream_stated), upstream_stated AS upstream_updated "
        "FROM fetches ORDER BY started, location"
    ).df()
    manifest = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": "aiplan snapshot",
        "datasets": entries,
        "fetches": [_clean(r) for r in fetches.to_dict("records")],
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False, default=str) + "\n")
    _swap_dir(tmp, snapshot_dir)
    return manifest


def _upstream_file(e: raw_cache.RawEntry) -> dict:
    return {"name": Path(e.path).name, "sha256": e.sha256, "bytes": e.bytes, "format": e.format,
            "upstream_updated": e.upstream_updated, "found_in": e.found_in or e.original}  # fmt: skip


def _swap_dir(new: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _clean(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if v is None or (isinstance(v, float) and v != v):
            out[k] = None
        elif hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        elif hasattr(v, "item"):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(snapshot_dir: Path) -> dict:
    """Read and check the snapshot manifest: every file present and unchanged since it was written."""
    path = snapshot_dir / MANIFEST
    if not path.exists():
        raise ReaderError(
            path, "no snapshot manifest", "data/snapshot/manifest.json written by `aiplan snapshot`"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = manifest["datasets"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ReaderError(path, f"unreadable snapshot manifest ({exc})") from exc
    for e in entries:
        f = snapshot_dir / e["file"]
        if not f.exists():
            raise ReaderError(f, "listed in the snapshot manifest but missing")
        if _sha256(f) != e["file_sha256"]:
            raise ReaderError(f, "differs from the sha256 in the snapshot manifest (corrupt or hand-edited)")
    return manifest
