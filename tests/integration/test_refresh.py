"""`aiplan refresh` against a local Eurostat/DESI/Statbel look-alike → updates, skips, revisions, faults."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators.catalog import load_indicators
from pipelines import fetch, raw_cache, reports, warehouse
from pipelines.cli import main
from pipelines.http import HttpStats
from pipelines.live import eurostat
from pipelines.settings import REPO_ROOT, get_settings
from tests.upstream.server import FakeUpstream, Request

SNAPSHOT = REPO_ROOT / "data" / "snapshot"
MISSING = {"isoc_ai_iaiu", "isoc_ci_ac_i", "road_eqr_carpda", "trng_aes_100"}  # not in ../shared: 404
FAULTED = "nrg_ind_ren"
REN = {"nrg_bal": "REN", "unit": "PC"}
RETRIES, CONNECT_TIMEOUT, READ_TIMEOUT = 1, 0.3, 0.4
HTTP_ENV = {
    "AIPLAN_HTTP_BACKOFF": "0.01",
    "AIPLAN_HTTP_RETRIES": str(RETRIES),
    "AIPLAN_HTTP_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
    "AIPLAN_HTTP_READ_TIMEOUT": str(READ_TIMEOUT),
}
UNSET = ("AIPLAN_WAREHOUSE", "AIPLAN_RAW_DIR", "AIPLAN_DESI_WORKBOOK_PATH", "AIPLAN_STATBEL_FILES",
         "AIPLAN_HTTP_MAX_BYTES")  # fmt: skip
TABLES = {"observations", "observation_history", "labels", "datasets", "fetches", "geo_reference",
          "build_info", "objectives", "indicators", "indicator_values", "assessments",
          "objective_status"}  # fmt: skip


# ---------------------------------------------------------------- fixtures and helpers


@dataclass
class Run:
    code: int
    outcomes: dict[str, fetch.Outcome]
    stats: HttpStats
    changes: dict[str, warehouse.DatasetChange]
    requests: list[Request]
    seconds: float

    @property
    def bytes_sent(self) -> int:
        return sum(r.bytes for r in self.requests)


@dataclass
class Seed:
    data_dir: Path
    run: Run


def _set_env(mp: pytest.MonkeyPatch, upstream: FakeUpstream, data_dir: Path) -> None:
    env = {
        **upstream.env(),
        **HTTP_ENV,
        "AIPLAN_DATA_DIR": str(data_dir),
        "AIPLAN_SNAPSHOT_DIR": str(SNAPSHOT),
    }
    for name, value in env.items():
        mp.setenv(name, value)
    for name in UNSET:
        mp.delenv(name, raising=False)


def _refresh(upstream: FakeUpstream, *args: str, command: str = "refresh") -> Run:
    """`aiplan refresh ARGS` in-process; keep what fetch and the build returned and what the server saw."""
    seen: dict = {}
    real_fetch, real_build = fetch.fetch, warehouse.build_refresh

    def spy_fetch(*a, **kw):
        seen["fetch"] = real_fetch(*a, **kw)
        return seen["fetch"]

    def spy_build(*a, **kw):
        seen["build"] = real_build(*a, **kw)
        return seen["build"]

    first = len(upstream.log)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fetch, "fetch", spy_fetch)
        mp.setattr(warehouse, "build_refresh", spy_build)
        started = time.perf_counter()
        code = main([command, *args])
        seconds = time.perf_counter() - started
    upstream.wait_idle()
    outcomes, client = seen["fetch"]
    changes = seen["build"][1] if "build" in seen else []
    return Run(code, {o.dataset: o for o in outcomes}, client.stats, {c.dataset: c for c in changes},
               upstream.requests()[first:], seconds)  # fmt: skip


def _rows(sql: str, params=None, path: Path | None = None) -> list[tuple]:
    con = warehouse.connect_read_only(path or get_settings().warehouse)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _fingerprint(path: Path | None = None, where: str = "true") -> tuple:
    """Row count and an order-free hash of every observation column: equal means the same rows."""
    return _rows(
        "SELECT count(*), sum(hash(source, dataset, series_key, geo, period, value, obs_flag, conf_flag, "
        f"upstream_updated, fetched_at)) FROM observations WHERE {where}",
        path=path,
    )[0]


@pytest.fixture(scope="module")
def upstream(raw_dir):
    with FakeUpstream(raw_dir) as up:
        yield up


@pytest.fixture(scope="module")
def present(upstream) -> list[str]:
    """The Eurostat datasets the catalogue asks for that ../shared has: the server answers them."""
    planned = {r.dataset for r in eurostat.plan(load_indicators())}
    assert planned - set(upstream.raw.eurostat) == MISSING
    return sorted(planned & set(upstream.raw.eurostat))


@pytest.fixture(scope="module")
def seeded(upstream, tmp_path_factory) -> Seed:
    """One full refresh from the snapshot (no warehouse yet), kept as the starting point of other tests."""
    data = tmp_path_factory.mktemp("seed") / "data"
    upstream.reset()
    with pytest.MonkeyPatch.context() as mp:
        _set_env(mp, upstream, data)
        run = _refresh(upstream)
    upstream.reset()
    return Seed(data, run)


@pytest.fixture
def env(upstream, seeded, tmp_path, monkeypatch) -> Path:
    """A copy of the seeded data dir, the environment pointing at it and at the server."""
    upstream.reset()
    data = tmp_path / "data"
    shutil.copytree(seeded.data_dir, data)
    _set_env(monkeypatch, upstream, data)
    yield data
    upstream.wait_idle()
    upstream.reset()


def _expected_rows(upstream: FakeUpstream, dataset: str) -> set[tuple]:
    """The real payload's rows the catalogue's slice asks for, read off the raw file by our reader."""
    req = next(r for r in eurostat.plan(load_indicators()) if r.dataset == dataset)
    ds = upstream.raw.eurostat[dataset]
    obs, dims = ds.observations, ds.dims
    keep = obs["geo"].isin(req.geos)
    for dim, codes in req.codes.items():
        keep &= dims[dim].isin(codes)
    return {_row(r) for r in obs.loc[keep, ["series_key", "geo", "period", "value", "obs_flag", "conf_flag"]]
            .itertuples(index=False)}  # fmt: skip


def _row(r) -> tuple:
    return tuple(None if (not isinstance(v, str) and pd.isna(v)) else v for v in r)


def _assert_whole(path: Path) -> None:
    """The warehouse opens read-only and is internally consistent: one build, counts that agree."""
    con = warehouse.connect_read_only(path)
    try:
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert TABLES <= tables
        n_obs = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        assert con.execute("SELECT count(*), max(n_obs) FROM build_info").fetchone() == (1, n_obs)
        assert con.execute("SELECT sum(n_obs) FROM datasets").fetchone()[0] == n_obs
        assert con.execute("SELECT count(*) FROM objectives").fetchone()[0] == 9
        assert len(reports.scorecard(con, "BE")["objectives"]) == 9
    finally:
        con.close()
    assert not list(path.parent.glob(f".{path.name}.*")), "a temporary build file was left behind"


# ---------------------------------------------------------------- full refresh, no-change refresh


def test_full_refresh_updates_what_upstream_has(seeded, upstream, present):
    run = seeded.run
    assert run.code == 1  # the four datasets missing upstream failed, the rest was done
    assert {d for d, o in run.outcomes.items() if o.status == "updated"} == set(present)
    for dataset in MISSING:
        o = run.outcomes[dataset]
        assert o.status == "failed" and o.reason.startswith("unknown_dataset: No results found"), o.reason

    wh = seeded.data_dir / "warehouse.duckdb"
    _assert_whole(wh)
    for dataset in present:
        expected = _expected_rows(upstream, dataset)
        # A slice replaces the series and geos it covers; the snapshot's other series stay.
        scope = {(r[0], r[1]) for r in expected}
        got = {_row(r) for r in _rows("SELECT series_key, geo, period, value, obs_flag, conf_flag FROM "
                                      "observations WHERE dataset = ?", [dataset], wh)}  # fmt: skip
        assert {r for r in got if (r[0], r[1]) in scope} == expected, dataset
        assert len(expected) == run.outcomes[dataset].rows
    located = dict(_rows("SELECT dataset, location FROM datasets WHERE source = 'eurostat'", path=wh))
    assert all(located[d].startswith(upstream.url("eurostat") + "/sdmx/3.0/") for d in present)

    value = "SELECT value FROM observations WHERE dataset = ? AND series_key = ? AND geo = ? AND period = ?"
    assert _rows(value, ["nrg_ind_ren", "freq=A|nrg_bal=REN|unit=PC", "BE", "2020"], wh) == [(13.0,)]
    ai = "freq=A|indic_is=E_AI_TANY|nace_r2=C10-S951_X_K|size_emp=GE10|unit=PC_ENT"
    assert _rows(value, ["isoc_eb_ai", ai, "BE", "2025"], wh) == [(34.54,)]
    assert _rows(value, ["isoc_eb_ai", ai, "EU27_2020", "2025"], wh) == [(19.95,)]

    # DESI and Statbel were not fetched: they stay as in the snapshot.
    kept = dict(_rows("SELECT dataset, n_obs FROM datasets WHERE source <> 'eurostat'", path=wh))
    assert kept == {"desi_2022": 3138, "tf_soc_pop_struct": 469098}
    no_data = _rows("SELECT DISTINCT dataset FROM indicators WHERE resolution = 'no_dataset'", path=wh)
    assert {d for (d,) in no_data} == MISSING


def test_first_refresh_records_no_withdrawals_for_codes_it_never_asked_for(seeded):
    history = _rows("SELECT count(*), count(new_value) FROM observation_history",
                    path=seeded.data_dir / "warehouse.duckdb")  # fmt: skip
    assert history == [(0, 0)], f"{history[0][0]:,} history rows, {history[0][1]} with a new value"


def test_second_refresh_without_toc_change_transfers_almost_nothing(env, upstream, seeded, present):
    before = _fingerprint()
    run = _refresh(upstream)
    assert run.code == 1
    assert all(run.outcomes[d].status == "unchanged" for d in present)
    # Only the TOC, plus the four datasets that never fetched: no TOC entry and nothing cached, so they
    # are asked for again (right: there is nothing to keep; the 404s are small).
    assert [r.route for r in run.requests].count("toc") == 1
    assert {r.dataset for r in run.requests if r.route != "toc"} == MISSING
    assert len(run.requests) == 1 + len(MISSING)
    first, second = seeded.run.bytes_sent, run.bytes_sent
    print(f"\nfull refresh: {len(seeded.run.requests)} requests, {first:,} bytes sent by the server; "
          f"no-change refresh: {len(run.requests)} requests, {second:,} bytes "
          f"({second / first:.2%})")  # fmt: skip
    assert second < 0.02 * first
    assert _fingerprint() == before
    _assert_whole(get_settings().warehouse)


# ---------------------------------------------------------------- revisions


def test_revision_is_kept_in_history(env, upstream, present):
    old_toc = upstream.updated[FAULTED].isoformat()
    old = upstream.revise(FAULTED, REN, "BE", "2023", 99.5, "2026-03-15")
    run = _refresh(upstream, *present)
    assert run.code == 0
    assert run.outcomes[FAULTED].status == "updated"
    assert run.outcomes[FAULTED].upstream_updated == "2026-03-15"
    assert {d for d, o in run.outcomes.items() if o.status == "unchanged"} == set(present) - {FAULTED}
    change = run.changes[FAULTED]
    assert (change.added, change.changed, change.removed) == (0, 1, 0)
    assert change.unchanged == run.outcomes[FAULTED].rows - 1

    key = ["nrg_ind_ren", "freq=A|nrg_bal=REN|unit=PC", "BE", "2023"]
    where = "dataset = ? AND series_key = ? AND geo = ? AND period = ?"
    assert _rows(f"SELECT value FROM observations WHERE {where}", key) == [(99.5,)]
    history = _rows(f"SELECT old_value, new_value, old_upstream_updated, new_upstream_updated "
                    f"FROM observation_history WHERE {where}", key)  # fmt: skip
    assert [h[:2] for h in history] == [(old, 99.5)]
    _assert_whole(get_settings().warehouse)
    dates = history[0][2:]
    assert dates[0].startswith(old_toc) and dates[1].startswith("2026-03-15")


# ---------------------------------------------------------------- faults: one dataset fails, the rest is done

FAULT_CASES = [
    # fault, options, expected kind (None: the retry succeeds), requests the server sees for the dataset
    ("connect_timeout", {}, "timeout", 1),  # the 307; the connect attempts go to the unanswering port
    ("read_timeout", {"delay": READ_TIMEOUT + 0.6}, "timeout", 2),
    ("server_error", {}, "server_error", RETRIES + 1),
    ("unavailable", {"times": 1, "retry_after": 1}, None, 2),
    ("rate_limited", {}, "rate_limited", RETRIES + 1),
    ("bad_request", {}, "unknown_code", 1),  # 400 INVALID_QUERY_* → unknown_code
    ("not_found", {}, "unknown_dataset", 1),
    ("too_big", {}, "too_big", 1),
    ("html", {}, "not_data", 1),
    ("truncated", {}, "truncated", 1),
    ("corrupt_gzip", {}, "truncated", 1),  # reported as truncated ("the compressed body is corrupt")
    ("empty", {}, "empty", 1),
    ("missing_column", {}, "not_data", 1),
]


@pytest.mark.parametrize(
    ("fault", "options", "kind", "attempts"), FAULT_CASES, ids=[c[0] for c in FAULT_CASES]
)
def test_fault_in_one_dataset_is_contained(
    env, upstream, present, fault, options, kind, attempts, monkeypatch
):
    if fault == "connect_timeout":
        # The 307 points at the unanswering port: a configured host, since every redirect hop is checked.
        monkeypatch.setenv("AIPLAN_STATBEL_URL", f"http://127.0.0.1:{upstream.blackhole_port()}/statbel")
    settings = get_settings()
    wh = settings.warehouse
    before_ds, before_all = _fingerprint(where=f"dataset = '{FAULTED}'"), _fingerprint()
    entry = next(e for e in raw_cache.load_manifest(settings.raw_dir) if e.dataset == FAULTED)

    upstream.set_fault(FAULTED, fault, **options)
    run = _refresh(upstream, "--force", *present)

    assert len(upstream.requests(dataset=FAULTED)) == attempts
    others = {d: o.status for d, o in run.outcomes.items() if d != FAULTED}
    assert others == dict.fromkeys(set(present) - {FAULTED}, "updated")
    _assert_whole(wh)
    assert _fingerprint(where=f"dataset = '{FAULTED}'") == before_ds  # same rows, same fetched_at
    assert _fingerprint() == before_all
    # The raw cache keeps the last good payload, and no partial download lies around.
    assert raw_cache.sha256_of(settings.raw_dir / entry.path) == entry.sha256
    assert not list((settings.raw_dir / "eurostat" / FAULTED).glob(".*"))

    outcome = run.outcomes[FAULTED]
    if kind is None:
        assert outcome.status == "updated" and run.code == 0
        return
    assert outcome.status == "failed" and run.code == 1
    logged = _rows("SELECT error FROM fetches WHERE dataset = ? AND status = 'failed' ORDER BY started DESC",
                   [FAULTED])  # fmt: skip
    assert logged and logged[0][0] == outcome.reason
    assert outcome.reason.startswith(f"{kind}: "), outcome.reason


def test_toc_failure_fetches_everything(env, upstream, present):
    upstream.set_fault("toc", "server_error")
    run = _refresh(upstream, *present)
    assert run.code == 0
    assert {o.status for o in run.outcomes.values()} == {"updated"}
    assert {r.dataset for r in run.requests if r.route == "slice"} == set(present)
    assert any(e["dataset"] == "(table of contents)" and e["status"] == "failed"
               for e in fetch.read_log(get_settings().raw_dir))  # fmt: skip


# ---------------------------------------------------------------- the app reading while a refresh runs


def test_app_reading_during_refresh_never_sees_an_error(env, upstream, present):
    before_built = _rows("SELECT built_at FROM build_info")[0][0]
    upstream.revise(FAULTED, REN, "BE", "2023", 99.5, "2026-03-15")  # so a dataset is really replaced
    errors: list[str] = []
    reads: list[tuple] = []
    done = threading.Event()

    def app() -> None:
        while True:
            last = done.is_set()
            try:
                con = warehouse.connect_read_only(get_settings().warehouse)  # the app's way in
                try:
                    n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
                    info = con.execute(
                        "SELECT count(*), max(built_at), max(n_obs) FROM build_info"
                    ).fetchone()
                    card = reports.scorecard(con, "BE")
                finally:
                    con.close()
                reads.append((*info, n, len(card["objectives"])))
            except Exception as exc:  # noqa: BLE001 (any error the app would show is a failure)
                errors.append(f"{type(exc).__name__}: {exc}")
            if last:
                return
            time.sleep(0.005)

    reader = threading.Thread(target=app, name="app-reader")
    reader.start()
    try:
        run = _refresh(upstream, *present)
    finally:
        done.set()
        reader.join(30)
    assert run.code == 0 and run.changes[FAULTED].changed == 1
    assert errors == []
    assert len(reads) >= 5, f"only {len(reads)} reads during the refresh"
    after_built = _rows("SELECT built_at FROM build_info")[0][0]
    for n_builds, built_at, build_obs, n_obs, objectives in reads:
        assert (n_builds, objectives) == (1, 9)
        assert build_obs == n_obs  # a complete version: its build_info matches its observations
        assert built_at in (before_built, after_built)
    assert reads[0][1] == before_built and reads[-1][1] == after_built


def test_app_cached_connection_does_not_pin_the_old_warehouse(env):
    """Regression: DuckDB's one-instance-per-path cache once made connect_read_only return the old file."""
    wh = get_settings().warehouse
    cached = warehouse.connect_read_only(wh)  # dashboard.queries._connection keeps this one (cache_resource)
    try:
        before = cached.execute("SELECT count(*) FROM build_info").fetchone()
        with warehouse.new_warehouse(wh):  # the refresh's own swap (os.replace), here of an empty build
            pass
        fresh = warehouse.connect_read_only(wh)  # what _connection opens for the new mtime
        try:
            assert fresh.execute("SELECT count(*) FROM build_info").fetchone() != before
        finally:
            fresh.close()
    finally:
        cached.close()


# ---------------------------------------------------------------- DESI and Statbel


def _statbel_dataset(name: str) -> str:
    """The dataset fetch names a Statbel file's job (the reader's rule since 06:43: the year is dropped)."""
    return next(j.dataset for j in fetch.jobs(get_settings(), statbel=True) if j.file_name == name)


def test_desi_and_statbel_from_the_local_server(env, upstream, raw_dir, monkeypatch):
    monkeypatch.setenv("AIPLAN_DESI_WORKBOOK_PATH", "/files/DESI_2022_final.xlsx")
    monkeypatch.setenv("AIPLAN_STATBEL_FILES", "/opendata/TF_SOC_POP_STRUCT_2022.zip")
    statbel_ds = _statbel_dataset("TF_SOC_POP_STRUCT_2022.zip")
    run = _refresh(upstream, "--statbel", "desi_2022", statbel_ds)
    assert run.code == 0, {d: o.reason for d, o in run.outcomes.items()}
    desi, statbel = run.outcomes["desi_2022"], run.outcomes[statbel_ds]
    assert (desi.status, desi.rows) == ("updated", 3138)
    assert (statbel.status, statbel.rows) == ("updated", 469098)
    assert [(r.route, r.status) for r in run.requests] == [("desi", 200), ("statbel", 200)]  # no TOC needed
    raw = get_settings().raw_dir
    assert (raw / "desi/desi_2022/desi_workbook.xlsx").read_bytes() == (raw_dir / "desi/DESI_2022_final.xlsx"
                                                                         ).read_bytes()  # fmt: skip
    assert (raw / "statbel" / statbel_ds / "TF_SOC_POP_STRUCT_2022.zip").read_bytes() == (
        raw_dir / "statbel/TF_SOC_POP_STRUCT_2022.zip").read_bytes()  # fmt: skip
    staged = [f for f in raw.rglob("TF_SOC*") if f.parent.name != statbel_ds]
    assert staged == [], "a staged or temporary copy was left behind"
    _assert_whole(get_settings().warehouse)
    counts = dict(_rows("SELECT dataset, count(*) FROM observations WHERE source <> 'eurostat' GROUP BY 1"))
    assert counts == {"desi_2022": 3138, "tf_soc_pop_struct": 469098}  # same bytes as the snapshot's


def test_new_statbel_bytes_replace_the_statbel_table(env, upstream, fixtures_dir, monkeypatch):
    """Regression: a Statbel job once named its dataset 'tf_soc_pop_struct_2022' and added a second table."""
    name = "TF_SOC_POP_STRUCT_2022.zip"
    upstream.files[name] = (fixtures_dir / "statbel" / name).read_bytes()  # republished: other bytes, 8 rows
    monkeypatch.setenv("AIPLAN_STATBEL_FILES", f"/opendata/{name}")
    statbel_ds = _statbel_dataset(name)
    run = _refresh(upstream, "--statbel", statbel_ds)
    assert run.code == 0 and run.outcomes[statbel_ds].rows == 8
    assert run.changes[statbel_ds].removed == 469098 - 8 and run.changes[statbel_ds].added == 0
    counts = dict(_rows("SELECT dataset, count(*) FROM observations WHERE source = 'statbel' GROUP BY 1"))
    assert counts == {"tf_soc_pop_struct": 8}
    _assert_whole(get_settings().warehouse)


def test_warehouse_files_are_duckdb(seeded):
    """Guard for the helpers above: the seeded warehouse is a real DuckDB file, not an empty placeholder."""
    con = duckdb.connect(str(seeded.data_dir / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 400_000
    finally:
        con.close()
