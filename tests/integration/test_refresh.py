"""`aiplan refresh` / `fetch` against a local upstream serving real bytes → updates, skips, revisions, faults.

The upstream (tests/upstream/server.py) answers with the real payloads of ../shared/data/raw cut by whole
lines, the real recorded table of contents and the recorded Eurostat answers; nothing it serves was written by
our readers. Each test names the behaviour of the real services it relies on.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aiplan.cli import main
from indicators.catalog import load_indicators
from pipelines import fetch, raw_cache, reports, warehouse
from pipelines.http import HttpStats
from pipelines.live import eurostat
from pipelines.readers import read_file
from pipelines.settings import REPO_ROOT, get_settings
from tests.upstream import real_bytes, recordings
from tests.upstream.server import LocalUpstream, Request

SNAPSHOT = REPO_ROOT / "data" / "snapshot"
# no file in ../shared (or none our readers read yet): 404
MISSING = {"isoc_ai_iaiu", "isoc_ci_ac_i", "sdg_13_31", "trng_aes_100"}
NO_EU = {"rd_e_gerdtot"}  # the real file has no EU aggregate: the server refuses EU27_2020, as Eurostat would
FAULTED = "nrg_ind_ren"
REN_BE_2023 = {"nrg_bal": "REN", "unit": "PC", "geo": "BE", "TIME_PERIOD": "2023"}
RETRIES, CONNECT_TIMEOUT, READ_TIMEOUT = 1, 0.3, 1.0
HTTP_ENV = {
    "AIPLAN_HTTP_BACKOFF": "0.01",
    "AIPLAN_HTTP_RETRIES": str(RETRIES),
    "AIPLAN_HTTP_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
    "AIPLAN_HTTP_READ_TIMEOUT": str(READ_TIMEOUT),
    "AIPLAN_ASYNC_POLL": "0.01",
}
UNSET = ("AIPLAN_WAREHOUSE", "AIPLAN_RAW_DIR", "AIPLAN_DESI_WORKBOOK_PATH", "AIPLAN_STATBEL_FILES",
         "AIPLAN_HTTP_MAX_BYTES", "AIPLAN_CATALOG_DIR", "AIPLAN_ASYNC_MAX_WAIT",
         "AIPLAN_READ_ONLY")  # fmt: skip
TABLES = {"observations", "observation_history", "labels", "statbel_geo_names", "statbel_geo_parents",
          "datasets", "fetches", "geo_reference",
          "build_info", "objectives", "indicators", "indicator_values", "assessments",
          "objective_status", "schema_version"}  # fmt: skip


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


def _set_env(mp: pytest.MonkeyPatch, upstream: LocalUpstream, data_dir: Path, **extra: str) -> None:
    env = {**upstream.env(), **HTTP_ENV, "AIPLAN_DATA_DIR": str(data_dir),
           "AIPLAN_SNAPSHOT_DIR": str(SNAPSHOT), **extra}  # fmt: skip
    for name in UNSET:
        mp.delenv(name, raising=False)
    for name, value in env.items():
        mp.setenv(name, value)


def _refresh(upstream: LocalUpstream, *args: str, command: str = "refresh") -> Run:
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


def _scorecard_json(path: Path | None = None) -> str:
    con = warehouse.connect_read_only(path or get_settings().warehouse)
    try:
        return json.dumps(reports.scorecard(con, "BE").model_dump(mode="json"), sort_keys=True, default=str)
    finally:
        con.close()


@pytest.fixture(scope="module")
def upstream(raw_dir):
    with LocalUpstream(raw_dir) as up:
        yield up


@pytest.fixture(scope="module")
def present(upstream) -> list[str]:
    """The Eurostat datasets the catalogue asks for that ../shared has: the server answers them."""
    planned = {r.dataset for r in eurostat.plan(load_indicators())}
    assert planned - set(upstream.eurostat) == MISSING
    return sorted(planned & set(upstream.eurostat))


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


def _expected_rows(upstream: LocalUpstream, dataset: str, tmp: Path) -> set[tuple]:
    """The rows of the real file's lines that the catalogue's slice asks for, read by our reader."""
    req = next(r for r in eurostat.plan(load_indicators()) if r.dataset == dataset)
    file = upstream.eurostat[dataset].answer_file()
    geos = set(req.geos) - ({"EU27_2020"} if dataset in NO_EU else set())
    filters = {**{d: set(c) for d, c in req.codes.items()}, "geo": geos}
    path = tmp / f"{dataset}{''.join(file.path.suffixes)}"
    path.write_bytes(real_bytes.cut(file, filters))
    obs = read_file(path, dataset=dataset).observations
    return {_row(r) for r in obs[["series_key", "geo", "period", "value", "obs_flag", "conf_flag"]]
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
        assert len(reports.scorecard(con, "BE").objectives) == 9
    finally:
        con.close()
    assert not list(path.parent.glob(f".{path.name}.*")), "a temporary build file was left behind"


# ---------------------------------------------------------------- full refresh, no-change refresh


def test_full_refresh_updates_what_upstream_has(seeded, upstream, present, tmp_path):
    run = seeded.run
    assert run.code == 1  # the datasets missing upstream failed, rd_e_gerdtot lost its EU aggregate
    # The DESI facts the catalogue reads (indicators' own series and supplements) are fetched per KPI too.
    assert {d for d, o in run.outcomes.items() if o.status == "updated"} == set(present) | {"desi_facts"}
    for dataset in MISSING:
        o = run.outcomes[dataset]
        assert o.status == "failed" and o.reason.startswith("unknown_dataset: No results found"), o.reason
    assert run.outcomes["rd_e_gerdtot"].rejected == ["geo=EU27_2020 (every indicator)"]
    assert all(r.accept_encoding == "identity" for r in run.requests)

    wh = seeded.data_dir / "warehouse.duckdb"
    _assert_whole(wh)
    for dataset in present:
        expected = _expected_rows(upstream, dataset, tmp_path)
        # A slice replaces the series and geos it covers; the snapshot's other series stay.
        scope = {(r[0], r[1]) for r in expected}
        got = {_row(r) for r in _rows("SELECT series_key, geo, period, value, obs_flag, conf_flag FROM "
                                      "observations WHERE dataset = ?", [dataset], wh)}  # fmt: skip
        assert {r for r in got if (r[0], r[1]) in scope} == expected, dataset
        assert len(expected) == run.outcomes[dataset].rows
    located = dict(_rows("SELECT dataset, location FROM datasets WHERE source = 'eurostat'", path=wh))
    cut = {d for d in present if upstream.eurostat[d].answer_file().text_cuttable}
    assert {d for d in cut if not located[d].startswith(upstream.url("eurostat") + "/sdmx/3.0/")} == set()
    # A whole real file served for a slice has the snapshot's own bytes: nothing to replace, nor to relocate.
    assert {d: located[d] for d in set(present) - cut} == {
        d: upstream.eurostat[d].answer_file().path.name for d in set(present) - cut
    }

    value = "SELECT value FROM observations WHERE dataset = ? AND series_key = ? AND geo = ? AND period = ?"
    assert _rows(value, ["nrg_ind_ren", "freq=A|nrg_bal=REN|unit=PC", "BE", "2020"], wh) == [(13.0,)]
    ai = "freq=A|indic_is=E_AI_TANY|nace_r2=C10-S951_X_K|size_emp=GE10|unit=PC_ENT"
    assert _rows(value, ["isoc_eb_ai", ai, "BE", "2025"], wh) == [(34.54,)]
    assert _rows(value, ["isoc_eb_ai", ai, "EU27_2020", "2025"], wh) == [(19.95,)]
    kept = dict(_rows("SELECT dataset, n_obs FROM datasets WHERE source <> 'eurostat'", path=wh))
    # Not fetched by this refresh: exactly as the bundled snapshot's manifest records them.
    bundled = json.loads((REPO_ROOT / "data" / "snapshot" / "manifest.json").read_text())["datasets"]
    assert kept == {e["dataset"]: e["n_obs"] for e in bundled if e["source"] != "eurostat"}
    assert {"desi_2022", "desi_facts", "tf_soc_pop_struct"} <= set(kept)
    assert _rows("SELECT built_from FROM build_info", path=wh) == [("refresh",)]


def test_first_refresh_records_no_withdrawals_for_codes_it_never_asked_for(seeded):
    history = _rows("SELECT count(*), count(new_value) FROM observation_history",
                    path=seeded.data_dir / "warehouse.duckdb")  # fmt: skip
    assert history == [(0, 0)], f"{history[0][0]:,} history rows, {history[0][1]} with a new value"


def test_second_refresh_without_upstream_change_transfers_almost_nothing(env, upstream, seeded, present):
    before, mtime = _fingerprint(), get_settings().warehouse.stat().st_mtime_ns
    run = _refresh(upstream)
    assert run.code == 1
    # The DESI facts came back byte for byte: unchanged, so nothing is rebuilt and the app's caches stay warm.
    assert run.outcomes[fetch.DESI_FACTS].status == "unchanged", run.outcomes[fetch.DESI_FACTS]
    assert get_settings().warehouse.stat().st_mtime_ns == mtime
    assert {d for d, o in run.outcomes.items() if o.status == "unchanged"} == {*present, fetch.DESI_FACTS}
    # One structure answer (about 2 KB) per dataset; the 1.6 MB TOC is not needed; only the datasets that
    # never came are asked for again (right: there is nothing to keep; the 404s are small).
    assert [r.route for r in run.requests].count("toc") == 0
    assert {r.dataset for r in run.requests if r.route == "slice"} == MISSING
    assert {r.dataset for r in run.requests if r.route == "structure"} == set(present) | MISSING
    # Eurostat's traffic, which the TOC and structure dates govern; the DESI platform states no update date
    # to compare, so its facts (a few KB a KPI upstream) are asked again and must leave the data unchanged.
    first = sum(r.bytes for r in seeded.run.requests if r.route != "desi")
    second = sum(r.bytes for r in run.requests if r.route != "desi")
    print(f"\nfull refresh: {len(seeded.run.requests)} requests, {first:,} bytes sent by the server; "
          f"no-change refresh: {len(run.requests)} requests, {second:,} bytes "
          f"({second / first:.2%})")  # fmt: skip
    assert second < 0.02 * first
    assert _fingerprint() == before
    _assert_whole(get_settings().warehouse)


# ---------------------------------------------------------------- 1. transport as Eurostat answers


def test_fetch_gzip_without_content_encoding_and_chunked_is_kept(env, upstream, raw_dir):
    """Acceptance: gzip body without Content-Encoding, chunked, no Content-Length → exit 0, payload kept."""
    upstream.gzip = "always"
    run = _refresh(upstream, "isoc_e_dii", "--force", command="fetch")
    assert run.code == 0, run.outcomes["isoc_e_dii"].reason
    assert run.requests[-1].route == "slice" and run.outcomes["isoc_e_dii"].status == "updated"
    entry = next(e for e in raw_cache.load_manifest(get_settings().raw_dir) if e.dataset == "isoc_e_dii")
    kept = (get_settings().raw_dir / entry.path).read_bytes()
    assert kept[:2] == b"\x1f\x8b"  # kept exactly as it came
    rows = read_file(get_settings().raw_dir / entry.path).observations
    real = raw_dir / "eurostat" / "isoc_e_dii.sdmx.csv"
    assert len(rows) == run.outcomes["isoc_e_dii"].rows > 0
    assert set(rows["geo"]) <= set(read_file(real).observations["geo"])


def test_gzipped_toc_is_read_when_the_update_times_are_not_answered(env, upstream, present):
    upstream.gzip = "always"
    upstream.set_fault("structure", "not_found")
    run = _refresh(upstream, FAULTED, "isoc_ci_in_h")
    assert [r.route for r in run.requests].count("toc") == 1
    # the recorded TOC (2023) dates these two 19.07.2023 and 10.07.2023
    assert run.outcomes[FAULTED].upstream_updated == "2023-07-19"
    assert run.outcomes["isoc_ci_in_h"].upstream_updated == "2023-07-10"


# ---------------------------------------------------------------- 2. one bad code never blocks a dataset


def test_rejected_code_keeps_the_good_indicators_and_names_it(env, upstream, raw_dir):
    """Acceptance: 400 id 150 for one code of isoc_eb_ai → the others fetched, the code named."""
    upstream.withdraw("isoc_eb_ai", "indic_is", "E_AI_BEC")
    run = _refresh(upstream, "isoc_eb_ai", "--force", command="fetch")
    o = run.outcomes["isoc_eb_ai"]
    assert run.code == 1 and o.status == "updated" and o.partial
    assert o.rejected == ["indic_is=E_AI_BEC (ai_ethics_barrier)"]
    assert "E_AI_BEC" in o.reason and "ai_ethics_barrier" in o.reason
    asked = [r for r in run.requests if r.route == "slice"]
    assert [r.status for r in asked] == [400, 200]
    assert "E_AI_BEC" in asked[0].path and "E_AI_BEC" not in asked[1].path
    entry = next(e for e in raw_cache.load_manifest(get_settings().raw_dir) if e.dataset == "isoc_eb_ai")
    assert entry.rejected == o.rejected
    rows = read_file(get_settings().raw_dir / entry.path).observations
    assert rows["series_key"].str.contains("indic_is=E_AI_TANY").any()
    logged = [e for e in fetch.read_log(get_settings().raw_dir) if e["dataset"] == "isoc_eb_ai"]
    assert logged[-1]["rejected"] == o.rejected


def test_error_naming_no_asked_code_falls_back_to_one_query_per_indicator(env, upstream):
    upstream.set_fault("isoc_eb_ai", "bad_request", times=1)  # the recorded 400: "GEO=EUROVISION"
    run = _refresh(upstream, "isoc_eb_ai", "--force", command="fetch")
    o = run.outcomes["isoc_eb_ai"]
    assert run.code == 0 and o.status == "updated" and not o.rejected
    slices = [r for r in run.requests if r.route == "slice"]
    members = next(r for r in eurostat.plan(load_indicators()) if r.dataset == "isoc_eb_ai").members
    assert [r.status for r in slices] == [400] + [200] * len(members)


# ---------------------------------------------------------------- 3. re-fetch when the request changes


def test_changed_catalogue_codes_are_fetched_although_the_toc_did_not_move(env, upstream, tmp_path,
                                                                            monkeypatch):  # fmt: skip
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO_ROOT / "indicators" / "catalog", catalog)
    spec = (catalog / "renewables_share.yaml").read_text()
    (catalog / "renewables_share_elc.yaml").write_text(
        spec.replace("id: renewables_share", "id: renewables_share_elc")
        .replace("nrg_bal: REN\n", "nrg_bal: REN_ELC\n")
        .replace("headline: true\n", "")
    )
    monkeypatch.setenv("AIPLAN_CATALOG_DIR", str(catalog))
    run = _refresh(upstream, "nrg_ind_ren", "isoc_ci_in_h")
    assert run.outcomes["nrg_ind_ren"].status == "updated"  # new code asked: fetched
    assert run.outcomes["isoc_ci_in_h"].status == "unchanged"  # same request, same TOC date
    elc = "SELECT count(*) FROM observations WHERE dataset = 'nrg_ind_ren' AND series_key LIKE '%REN_ELC%'"
    assert _rows(elc)[0][0] > 100


def _fetched_at(when: str, upstream_updated: str) -> None:
    raw = get_settings().raw_dir
    entries = raw_cache.load_manifest(raw)
    for e in entries:
        if e.dataset == FAULTED:
            e.upstream_updated, e.imported_at = upstream_updated, when
    raw_cache.save_manifest(raw, entries)


def test_update_on_the_day_of_our_fetch_is_told_by_update_data(env, upstream, raw_dir):
    """Fetched at 12:00 on 16 June 2024 (after the 11:00 release); UPDATE_DATA says 23:00 → fetched again."""
    rec = recordings.find(raw_dir.parent / "recordings" / "eurostat_sdmx3", "TestCheckUpdates.test_no_update",
                          "/structure/")  # fmt: skip
    upstream.structures[FAULTED] = rec  # recorded: UPDATE_DATA 2024-06-16T23:00:00+0200
    _fetched_at("2024-06-16T10:00:00+00:00", "2024-06-16T11:00:00+02:00")
    run = _refresh(upstream, FAULTED)
    assert [r.route for r in run.requests] == ["structure", "slice"]
    assert run.outcomes[FAULTED].status == "updated"
    assert run.outcomes[FAULTED].upstream_updated == "2024-06-16T23:00:00+02:00"

    _fetched_at("2024-06-16T22:30:00+00:00", "2024-06-16T23:00:00+02:00")  # after the 23:00 release
    run = _refresh(upstream, FAULTED)
    assert [r.route for r in run.requests] == ["structure"]
    assert run.outcomes[FAULTED].status == "unchanged"


def test_toc_day_alone_cannot_skip_an_update_on_the_day_we_fetched(env, upstream):
    upstream.set_fault("structure", "not_found")
    upstream.set_updated(FAULTED, "2024-06-16")
    _fetched_at("2024-06-16T10:00:00+00:00", "2024-06-16")
    run = _refresh(upstream, FAULTED)
    assert [r.route for r in run.requests] == ["structure", "toc", "slice"]
    assert run.outcomes[FAULTED].status == "updated"
    _fetched_at("2024-06-17T08:00:00+00:00", "2024-06-16")  # fetched the next day: the TOC day suffices
    run = _refresh(upstream, FAULTED)
    assert [r.route for r in run.requests] == ["structure", "toc"]
    assert run.outcomes[FAULTED].status == "unchanged"


# ---------------------------------------------------------------- 4. large requests (asynchronous API)


def test_queued_request_is_polled_then_fetched(env, upstream):
    upstream.make_async(FAULTED, "SUBMITTED", "PROCESSING", "AVAILABLE")
    run = _refresh(upstream, FAULTED, "--force", command="fetch")
    assert run.code == 0 and run.outcomes[FAULTED].status == "updated" and run.outcomes[FAULTED].rows > 500
    assert [r.route for r in run.requests] == ["structure", "slice", "async", "async", "async", "async"]


@pytest.mark.parametrize("final", ["EXPIRED", "UNKNOWN_REQUEST"])
def test_queued_request_that_ends_badly_is_a_clear_failure(env, upstream, final):
    before = _fingerprint()
    upstream.make_async(FAULTED, "SUBMITTED", final)
    run = _refresh(upstream, FAULTED, "--force")
    o = run.outcomes[FAULTED]
    assert run.code == 1 and o.status == "failed"
    assert o.reason.startswith("async_failed: ") and final in o.reason and "previous data is kept" in o.reason
    assert _fingerprint() == before


def test_queued_request_never_ready_gives_up_within_the_bound(env, upstream, monkeypatch):
    monkeypatch.setenv("AIPLAN_ASYNC_MAX_WAIT", "0.3")
    monkeypatch.setenv("AIPLAN_ASYNC_POLL", "0.05")
    upstream.make_async(FAULTED, "PROCESSING")
    run = _refresh(upstream, FAULTED, "--force")
    o = run.outcomes[FAULTED]
    assert o.status == "failed" and o.reason.startswith("async_timeout: ") and "0.3 s" in o.reason
    # the bound, not a stopwatch: polls every 0.05 s for 0.3 s are at most 0.3 / 0.05 + 1 status requests
    assert 1 <= len([r for r in run.requests if r.route == "async"]) <= 7


# ---------------------------------------------------------------- 5. fail fast when the service is down


@pytest.mark.parametrize("fault", ["server_error", "html", "truncated", "maintenance"])
def test_dead_upstream_stops_within_a_minute_and_keeps_everything(env, upstream, present, fault, monkeypatch):
    """Acceptance: an upstream answering only `fault` → exit 1, scorecard unchanged, reason named, and
    within a minute: counted in requests, not on a stopwatch (bench/refresh.py times it).

    The retry settings are the defaults (4 retries, 1 s doubling backoff), as on a real refresh: per source,
    one request spends its retries (under 15 s of backoff), the next is a single probe, and the source is
    down. Two sources (Eurostat, the DESI platform) → at most 2 × (5 + 1) requests and 30 s of backoff.
    """
    for name in ("AIPLAN_HTTP_BACKOFF", "AIPLAN_HTTP_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    wh = get_settings().warehouse
    card, mtime = _scorecard_json(), wh.stat().st_mtime_ns
    upstream.set_fault("*", fault)
    run = _refresh(upstream)
    assert run.code == 1
    assert len(run.requests) <= 2 * (4 + 1 + 1), [(r.route, r.status) for r in run.requests]
    # Each source has its own breaker: at most two jobs of Eurostat and two of the DESI facts are tried.
    outcomes = list(run.outcomes.values())  # one per dataset (the DESI facts' KPI jobs share one)
    skipped = [o for o in outcomes if o.status == "skipped"]
    assert len(skipped) >= len(outcomes) - 4, "the rest of each source should not have been asked"
    assert all(
        o.reason.startswith(("Eurostat unavailable: ", "The Commission's DESI platform unavailable: "))
        for o in skipped
    )
    assert len({r.dataset for r in run.requests}) <= 3
    assert wh.stat().st_mtime_ns == mtime and _scorecard_json() == card


def test_isolated_failures_are_retried_politely_and_do_not_stop_the_refresh(env, upstream, present):
    upstream.set_fault("isoc_ci_in_h", "unavailable", times=1, retry_after=1)
    upstream.set_fault("isoc_cicce_use", "server_error")
    run = _refresh(upstream, "--force", *present)
    assert run.outcomes["isoc_ci_in_h"].status == "updated"  # Retry-After: 1 honoured, then fine
    assert run.outcomes["isoc_cicce_use"].status == "failed"
    assert not [o for o in run.outcomes.values() if o.status == "skipped"]


# ---------------------------------------------------------------- revisions


def test_revision_is_kept_in_history(env, upstream, present):
    old = float(upstream.revise(FAULTED, REN_BE_2023, "99.5"))
    run = _refresh(upstream, *present)
    assert run.outcomes[FAULTED].status == "updated"
    stamp = upstream.update_times[FAULTED]  # now, as Eurostat writes it
    assert run.outcomes[FAULTED].upstream_updated == eurostat.normalise_timestamp(stamp)
    change = run.changes[FAULTED]
    assert (change.added, change.changed, change.removed) == (0, 1, 0)
    assert change.unchanged == run.outcomes[FAULTED].rows - 1
    key = ["nrg_ind_ren", "freq=A|nrg_bal=REN|unit=PC", "BE", "2023"]
    where = "dataset = ? AND series_key = ? AND geo = ? AND period = ?"
    assert _rows(f"SELECT value FROM observations WHERE {where}", key) == [(99.5,)]
    history = _rows("SELECT old_value, new_value, new_upstream_stated FROM observation_history "
                    f"WHERE {where}", key)  # fmt: skip
    # The real SDMX-CSV 1.0 lines state their own LAST UPDATE (07/03/25 23:00): that date is kept.
    assert history == [(old, 99.5, "2025-03-07T23:00:00+01:00")]
    _assert_whole(get_settings().warehouse)


# ---------------------------------------------------------------- faults: one dataset fails, the rest is done

FAULT_CASES = [
    # fault, options, expected kind (None: the retry succeeds), requests the server sees for the dataset
    ("connect_timeout", {}, "timeout", 1),  # the 307; the connect attempts go to the unanswering port
    ("read_timeout", {"delay": READ_TIMEOUT + 0.6}, "timeout", 2),
    ("server_error", {}, "server_error", RETRIES + 1),
    ("unavailable", {"times": 1, "retry_after": 1}, None, 2),
    ("rate_limited", {}, "rate_limited", RETRIES + 1),
    ("bad_request", {}, "unknown_code", 1 + 1),  # the recorded 400, then one query per indicator (1)
    ("not_found", {}, "unknown_dataset", 1),
    ("too_big", {}, "too_big", 1),
    ("html", {}, "html", 1),
    ("truncated", {}, "truncated", 1),
    ("corrupt_gzip", {}, "not_data", 1),  # gzip magic, no header: read, found corrupt, the old file kept
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
    before_ds, before_all = _fingerprint(where=f"dataset = '{FAULTED}'"), _fingerprint()
    entry = next(e for e in raw_cache.load_manifest(settings.raw_dir) if e.dataset == FAULTED)

    upstream.set_fault(FAULTED, fault, **options)
    run = _refresh(upstream, "--force", *present)

    assert len(upstream.requests(dataset=FAULTED, route="slice")) == attempts
    others = {d: o.status for d, o in run.outcomes.items() if d != FAULTED}
    assert others == dict.fromkeys(set(present) - {FAULTED}, "updated")
    _assert_whole(settings.warehouse)
    assert _fingerprint(where=f"dataset = '{FAULTED}'") == before_ds  # same rows, same fetched_at
    assert _fingerprint() == before_all
    assert raw_cache.sha256_of(settings.raw_dir / entry.path) == entry.sha256
    assert not list((settings.raw_dir / "eurostat" / FAULTED).glob(".*"))

    outcome = run.outcomes[FAULTED]
    if kind is None:
        assert outcome.status == "updated"
        return
    assert outcome.status == "failed" and run.code == 1
    logged = _rows("SELECT error FROM fetches WHERE dataset = ? AND status = 'failed' ORDER BY started DESC",
                   [FAULTED])  # fmt: skip
    assert logged and logged[0][0] == outcome.reason
    assert outcome.reason.startswith(f"{kind}: "), outcome.reason


def test_one_failed_update_time_is_not_a_dead_upstream(env, upstream, present):
    upstream.set_fault("structure:isoc_ci_in_h", "server_error")
    run = _refresh(upstream, *present)
    assert not [o for o in run.outcomes.values() if o.status == "skipped"]
    assert run.outcomes["isoc_ci_in_h"].status in ("updated", "unchanged")  # decided by the TOC's day
    assert [r.route for r in run.requests].count("toc") == 1


# ---------------------------------------------------------------- 8. nothing refreshed is ever lost


def test_touched_snapshot_never_replaces_a_refreshed_warehouse(env, upstream, present, monkeypatch):
    """Acceptance: after a refresh, touch every snapshot file, start the app: built_from and history stay."""
    upstream.revise(FAULTED, REN_BE_2023, "99.5")
    assert _refresh(upstream, *present).outcomes[FAULTED].status == "updated"
    wh = get_settings().warehouse
    snapshot = env / "snapshot"
    shutil.copytree(SNAPSHOT, snapshot)
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(snapshot))
    later = time.time() + 60
    for f in snapshot.rglob("*"):
        os.utime(f, (later, later))
    history = _rows("SELECT * FROM observation_history")
    assert history
    # what `make run` does, then the app's own start
    assert main(["build", "--from-snapshot", "--if-needed"]) == 0
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert _rows("SELECT built_from FROM build_info") == [("refresh",)]
    assert _rows("SELECT * FROM observation_history") == history
    # an explicit snapshot build refuses too, unless told to discard
    assert main(["build", "--from-snapshot"]) == 2
    assert _rows("SELECT built_from FROM build_info") == [("refresh",)]
    assert wh.exists()


def test_older_layout_is_migrated_with_its_history(env, upstream, present):
    wh = get_settings().warehouse
    upstream.revise(FAULTED, REN_BE_2023, "99.5")
    _refresh(upstream, *present)
    history = _rows("SELECT * FROM observation_history")
    assert history
    con = duckdb.connect(str(wh))  # make it the layout before schema_version and observations.edition
    con.execute("DROP TABLE schema_version")
    # (recreated without the column: a CHECK on edition keeps ALTER TABLE ... DROP COLUMN from dropping it)
    con.execute("CREATE TABLE observations_old AS SELECT * EXCLUDE (edition) FROM observations")
    con.execute("DROP TABLE observations")
    con.execute("ALTER TABLE observations_old RENAME TO observations")
    con.close()
    upstream.set_updated(
        "isoc_ci_in_h", time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
    )  # something new, so the refresh rebuilds
    run = _refresh(upstream, *present)
    assert run.outcomes["isoc_ci_in_h"].status == "updated"
    assert _rows("SELECT * FROM observation_history") == history
    assert _rows("SELECT version FROM schema_version") == [(warehouse.SCHEMA_VERSION,)]


def test_unreadable_layout_is_refused_loudly_and_left_untouched(env, upstream, present):
    wh = get_settings().warehouse
    con = duckdb.connect(str(wh))
    con.execute("ALTER TABLE observation_history RENAME COLUMN old_value TO previous_value")
    con.close()
    before = wh.read_bytes()
    upstream.set_updated("isoc_ci_in_h", time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()))
    run = _refresh(upstream, *present)
    assert run.code == 1
    assert wh.read_bytes() == before  # not rebuilt, nothing dropped


# ---------------------------------------------------------------- the app reading while a refresh runs


def test_app_reading_during_refresh_never_sees_an_error(env, upstream, present):
    before_built = _rows("SELECT built_at FROM build_info")[0][0]
    upstream.revise(FAULTED, REN_BE_2023, "99.5")  # so a dataset is really replaced
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
                reads.append((*info, n, len(card.objectives)))
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
    assert run.changes[FAULTED].changed == 1
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
    cached = warehouse.connect_read_only(wh)
    try:
        before = cached.execute("SELECT count(*) FROM build_info").fetchone()
        with warehouse.new_warehouse(wh):  # the refresh's own swap (os.replace), here of an empty build
            pass
        fresh = warehouse.connect_read_only(wh)
        try:
            assert fresh.execute("SELECT count(*) FROM build_info").fetchone() != before
        finally:
            fresh.close()
    finally:
        cached.close()


# ---------------------------------------------------------------- 6. DESI facts; Statbel


def test_desi_facts_are_fetched_per_kpi_with_editions_apart(env, upstream):
    kpis = {
        j.url.split("indicator=")[1].split("&")[0]
        for j in fetch.jobs(get_settings())
        if j.dataset == "desi_facts"
    }
    # The catalogue's own DESI series and supplements, e.g. generative AI (own) and AI use (supplement).
    assert {"desi_genai", "desi_ai", "desi_vhcn"} <= kpis
    run = _refresh(upstream, "desi_facts")
    assert run.code == 0, {d: o.reason for d, o in run.outcomes.items()}
    assert sorted((r.route, r.status) for r in run.requests) == [("desi", 200)] * len(kpis)
    assert any("indicator=desi_genai" in r.path for r in run.requests)
    rows = _rows("SELECT geo, period, value, edition FROM observations WHERE dataset = 'desi_facts' AND "
                 "series_key = 'breakdown=i_iuai|indicator=desi_genai|unit=pc_ind' "
                 "AND geo = 'BE'")  # fmt: skip
    assert rows == [("BE", "2025", 42.01, "desi_2026")]  # data year 2025 from the DESI 2026 edition
    target = _rows("SELECT value FROM observations WHERE dataset = 'desi_facts' AND geo = 'EU' AND "
                   "series_key = 'breakdown=dd_target_2030|indicator=desi_ai|unit=pc_ent'")  # fmt: skip
    assert target == [(75.0,)]  # the whole record file came: the EU 2030 target rows with it


def _statbel_dataset(name: str) -> str:
    return next(j.dataset for j in fetch.jobs(get_settings(), statbel=True) if j.file_name == name)


def test_desi_workbook_and_statbel_from_the_local_server(env, upstream, raw_dir, monkeypatch):
    monkeypatch.setenv("AIPLAN_DESI_WORKBOOK_PATH", "/files/DESI_2022_final.xlsx")
    monkeypatch.setenv("AIPLAN_STATBEL_FILES", "/opendata/TF_SOC_POP_STRUCT_2022.zip")
    statbel_ds = _statbel_dataset("TF_SOC_POP_STRUCT_2022.zip")
    run = _refresh(upstream, "--statbel", "desi_2022", statbel_ds)
    assert run.code == 0, {d: o.reason for d, o in run.outcomes.items()}
    desi, statbel = run.outcomes["desi_2022"], run.outcomes[statbel_ds]
    assert (desi.status, desi.rows) == ("updated", 3138)
    assert (statbel.status, statbel.rows) == ("updated", 469098)
    raw = get_settings().raw_dir
    assert (raw / "desi/desi_2022/desi_workbook.xlsx").read_bytes() == (raw_dir / "desi/DESI_2022_final.xlsx"
                                                                         ).read_bytes()  # fmt: skip
    assert (raw / "statbel" / statbel_ds / "TF_SOC_POP_STRUCT_2022.zip").read_bytes() == (
        raw_dir / "statbel/TF_SOC_POP_STRUCT_2022.zip").read_bytes()  # fmt: skip
    _assert_whole(get_settings().warehouse)


def test_new_statbel_bytes_replace_the_statbel_table(env, upstream, fixtures_dir, monkeypatch):
    name = "TF_SOC_POP_STRUCT_2022.zip"
    upstream.files[name] = (fixtures_dir / "statbel" / name).read_bytes()  # republished: other bytes, 8 rows
    monkeypatch.setenv("AIPLAN_STATBEL_FILES", f"/opendata/{name}")
    statbel_ds = _statbel_dataset(name)
    run = _refresh(upstream, "--statbel", statbel_ds)
    assert run.code == 0 and run.outcomes[statbel_ds].rows == 8
    assert run.changes[statbel_ds].removed == 469098 - 8 and run.changes[statbel_ds].added == 0
    _assert_whole(get_settings().warehouse)
