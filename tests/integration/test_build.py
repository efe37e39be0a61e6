"""Import → build → snapshot → build from snapshot, and builds that fail without touching the warehouse."""

import gzip
import json
import shutil

import duckdb
import openpyxl
import pytest

from aiplan.cli import main
from pipelines import raw_cache, snapshot, warehouse
from pipelines.readers import ReaderError


@pytest.fixture
def upstream(tmp_path, fixtures_dir):
    """A folder of two small real excerpts in two formats."""
    d = tmp_path / "upstream"
    d.mkdir()
    for name in ("nrg_ind_ren.excerpt.csv", "isoc_ci_in_h.excerpt.tsv"):
        shutil.copy(fixtures_dir / "build" / name, d / name)
    (d / "PROVENANCE.md").write_text("documentation, not data")
    return d


@pytest.fixture
def env(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("AIPLAN_DATA_DIR", str(data))
    return data


def _rows(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_import_build_snapshot_roundtrip(upstream, env):
    assert main(["import", str(upstream)]) == 0
    manifest = json.loads((env / "raw" / "manifest.json").read_text())
    paths = sorted(e["path"] for e in manifest["files"])
    assert paths == [
        "eurostat/isoc_ci_in_h/isoc_ci_in_h.excerpt.tsv",
        "eurostat/nrg_ind_ren/nrg_ind_ren.excerpt.csv",
    ]
    assert all(len(e["sha256"]) == 64 for e in manifest["files"])

    assert main(["build", "--from-raw", str(env / "raw")]) == 0
    wh = env / "warehouse.duckdb"
    # The values below are read off the excerpt files' text.
    eu = "SELECT value, obs_flag FROM observations WHERE dataset='isoc_ci_in_h' AND geo='EU27_2020' "
    assert _rows(wh, eu + "AND period IN ('2020','2021') ORDER BY period") == [(83.55, "e"), (85.09, "b")]
    be = "SELECT value, upstream_stated FROM observations WHERE dataset='nrg_ind_ren' AND geo='BE' "
    assert _rows(wh, be + "AND period='2020'") == [(13.0, "2025-03-07T23:00:00+01:00")]
    # 9 rows in the SDMX-CSV excerpt; 20 + 18 + 20 non-':' cells in the three TSV rows.
    counts = dict(_rows(wh, "SELECT dataset, count(*) FROM observations GROUP BY dataset"))
    assert counts == {"nrg_ind_ren": 9, "isoc_ci_in_h": 20 + 18 + 20}

    assert main(["snapshot"]) == 0
    snap = json.loads((env / "snapshot" / "manifest.json").read_text())
    assert {d["dataset"]: d["n_obs"] for d in snap["datasets"]} == counts
    assert all(d["licence"].startswith("CC BY 4.0") for d in snap["datasets"])

    before = _rows(wh, "SELECT * EXCLUDE (fetched_at) FROM observations ORDER BY ALL")
    wh.unlink()
    assert main(["build", "--from-snapshot"]) == 0
    assert _rows(wh, "SELECT * EXCLUDE (fetched_at) FROM observations ORDER BY ALL") == before


def _broken_files(tmp_path):
    good_gz = gzip.compress((tmp_path / "upstream" / "isoc_ci_in_h.excerpt.tsv").read_bytes())
    desi = openpyxl.Workbook()
    desi.active.title = "Metadata"
    return {
        "empty.csv": b"",
        "truncated.tsv.gz": good_gz[: len(good_gz) // 2],
        "error_page.csv": b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        "missing_column.tsv": b"freq,unit,geo\\TIME_PERIOD\t2020 \t2021 \n"
        b"A,PC,BE\t1.0 \nA,PC,NL\t2.0 \t3.0 \n",
        "desi_without_data.xlsx": desi,
    }


@pytest.mark.parametrize(
    "name",
    ["empty.csv", "truncated.tsv.gz", "error_page.csv", "missing_column.tsv", "desi_without_data.xlsx"],
)
def test_bad_file_fails_build_and_keeps_warehouse(upstream, env, tmp_path, name):
    assert main(["build", "--from-raw", str(upstream)]) == 0
    wh = env / "warehouse.duckdb"
    before = (wh.stat().st_mtime_ns, wh.read_bytes())
    bad = _broken_files(tmp_path)[name]
    target = upstream / name
    bad.save(target) if hasattr(bad, "save") else target.write_bytes(bad)

    with pytest.raises(warehouse.BuildError) as exc:
        warehouse.build_from_raw(upstream, wh)
    assert name in str(exc.value)
    assert (wh.stat().st_mtime_ns, wh.read_bytes()) == before
    assert not list(wh.parent.glob(".warehouse.duckdb.*.tmp*")), "temporary build file left behind"
    assert main(["build", "--from-raw", str(upstream)]) == 2


def test_import_reports_bad_files_and_keeps_good_ones(upstream, env):
    (upstream / "error_page.csv").write_text("<html><body>Service Unavailable</body></html>")
    assert main(["import", str(upstream)]) == 1
    entries = raw_cache.load_manifest(env / "raw")
    assert sorted(e.dataset for e in entries) == ["isoc_ci_in_h", "nrg_ind_ren"]


def test_interrupted_build_leaves_previous_warehouse(upstream, env, monkeypatch):
    assert main(["build", "--from-raw", str(upstream)]) == 0
    wh = env / "warehouse.duckdb"
    before = wh.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(warehouse, "_finish", boom)
    with pytest.raises(KeyboardInterrupt):
        warehouse.build_from_raw(upstream, wh)
    assert wh.read_bytes() == before
    assert not list(wh.parent.glob(".warehouse.duckdb.*"))


def test_snapshot_tampering_is_refused(upstream, env):
    main(["build", "--from-raw", str(upstream)])
    main(["snapshot"])
    f = next((env / "snapshot" / "eurostat").glob("*.parquet"))
    f.write_bytes(f.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ReaderError, match="sha256"):
        snapshot.load_manifest(env / "snapshot")
    assert main(["build", "--from-snapshot"]) == 2


def test_same_dataset_in_two_files_keeps_the_one_reaching_furthest(upstream, env, fixtures_dir):
    # A shorter vintage of the same dataset: its last period is earlier, so it is superseded.
    text = (fixtures_dir / "build" / "isoc_ci_in_h.excerpt.tsv").read_text().splitlines()
    older = ["\t".join(line.split("\t")[:-2]) for line in text]
    (upstream / "estat_isoc_ci_in_h.old.tsv").write_text("\n".join(older) + "\n")
    report = warehouse.build_from_raw(upstream, env / "warehouse.duckdb")
    assert len(report.superseded) == 1 and "estat_isoc_ci_in_h.old.tsv" in report.superseded[0]
    periods = _rows(
        env / "warehouse.duckdb", "SELECT max(period) FROM observations WHERE dataset='isoc_ci_in_h'"
    )
    assert periods == [("2024",)]
