"""Warehouse swapped 5× under 4 reader threads and 2 reader processes → every read is one whole version."""

# The builder alternates two versions of the warehouse with different observation counts: the committed
# snapshot (A) and a copy without one dataset (B). Readers loop like app sessions: connect_read_only whenever
# the file's mtime changed (the previous version's connection left open, as dashboard.queries._connection's
# cache keeps it), then in ONE cursor build_info, count(observations) and the scorecard.
# Run as `python -m tests.integration.test_concurrency READER ...` this module is a reader process.

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from pipelines import reports, snapshot
from pipelines.warehouse import build_from_snapshot, connect_read_only, read_cursor

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "data" / "snapshot"
DROPPED = ("statbel", "tf_soc_pop_struct")  # version B: the snapshot without this dataset
THREADS, PROCESSES, SWAPS = 4, 2, 5
SCENARIO_S = 120.0  # hard bound on every reader loop (a run takes about 15 s; slack for a loaded runner)
START_S = 15.0  # reader processes import pandas and duckdb first
SWAP_WAIT_S = 30.0  # after a swap, how long the builder waits for every reader to read the new file
ABORT = -1
FINAL_READS = 3  # a reader stops after this many reads of the last file
MAX_ERRORS = 20  # a reader that keeps failing stops early
PAUSE_S = 0.1  # between reads: 6 readers must not starve the builder on a 2-CPU runner

Read = list  # [mtime_ns the reader connected for, build_info rows, n_obs, location, count(*), objectives]


# ---------------------------------------------------------------- one read, one reader loop


def read_once(con: duckdb.DuckDBPyConnection) -> list:
    """build_info, count(observations) and the scorecard, all in one fresh cursor (as the app's _with)."""
    cur = read_cursor(con)
    try:
        info = cur.execute("SELECT n_obs, location FROM build_info").fetchall()
        count = cur.execute("SELECT count(*) FROM observations").fetchone()[0]
        card = reports.scorecard(cur, "BE", "en")
    finally:
        cur.close()
    n_obs, location = info[0] if len(info) == 1 else (None, None)
    return [len(info), n_obs, location, count, len(card.objectives)]


class SessionConnections:
    """One reader's connections as dashboard.queries._connection keeps them: one per file mtime, 2 kept.

    Keeping the previous version's connection open means an old connection is alive at every swap, the case
    in which duckdb.connect(path) used to hand back the old file's database instance.
    """

    KEEP = 2  # _connection's max_entries

    def __init__(self) -> None:
        self.open: dict[int, duckdb.DuckDBPyConnection] = {}

    def get(self, path: Path, mtime: int) -> duckdb.DuckDBPyConnection:
        if mtime not in self.open:
            self.open[mtime] = connect_read_only(path)
            while len(self.open) > self.KEEP:
                self.open.pop(next(iter(self.open))).close()
        return self.open[mtime]

    def close(self) -> None:
        while self.open:
            self.open.popitem()[1].close()


@dataclass
class Outcome:
    reads: list[Read] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_loop(path: Path, stop: Callable[[list[Read]], bool], deadline: float, progress=None) -> Outcome:
    """Read until `stop(reads)`, the deadline or MAX_ERRORS errors; report each read's mtime to `progress`."""
    out, conns = Outcome(), SessionConnections()
    try:
        while time.monotonic() < deadline and len(out.errors) < MAX_ERRORS and not stop(out.reads):
            try:
                mtime = path.stat().st_mtime_ns
                out.reads.append([mtime, *read_once(conns.get(path, mtime))])
                if progress is not None:
                    progress(mtime)
            except Exception as exc:  # noqa: BLE001 (any error a session would show is a failure)
                out.errors.append("".join(traceback.format_exception_only(exc)).strip())
            time.sleep(PAUSE_S)
    finally:
        conns.close()
    return out


def stop_file_says(final_file: Path) -> Callable[[list[Read]], bool]:
    """Stop after FINAL_READS reads of the file whose mtime the builder wrote last (ABORT: stop now)."""

    def stop(reads: list[Read]) -> bool:
        text = final_file.read_text() if final_file.exists() else ""
        if not text:
            return False
        final = int(text)
        return final == ABORT or sum(r[0] == final for r in reads) >= FINAL_READS

    return stop


def _process_main(path: str, workdir: str, name: str, seconds: str) -> None:
    """A reader process (an app replica): progress in <workdir>/<name>.progress, reads as JSON on stdout."""
    work = Path(workdir)
    out = read_loop(Path(path), stop_file_says(work / "final"), time.monotonic() + float(seconds),
                    lambda mtime: _write(work / f"{name}.progress", str(mtime)))  # fmt: skip
    print(json.dumps({"reads": out.reads, "errors": out.errors}))


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


class Readers:
    """THREADS reader threads and PROCESSES reader processes on one file, and the mtime each last read."""

    def __init__(self, target: Path, work: Path, deadline: float) -> None:
        self.target, self.work, self.deadline = target, work, deadline
        self.final = work / "final"
        self.progress: dict[str, int] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.threads = [
            threading.Thread(target=self._thread, args=(f"thread-{i}",), name=f"thread-{i}")
            for i in range(THREADS)
        ]
        self.procs: dict[str, subprocess.Popen] = {}
        self.names = [t.name for t in self.threads] + [f"process-{i}" for i in range(PROCESSES)]

    def _thread(self, name: str) -> None:
        self.outcomes[name] = read_loop(self.target, stop_file_says(self.final), self.deadline,
                                        lambda mtime: self.progress.__setitem__(name, mtime))  # fmt: skip

    def start(self) -> None:
        seconds = self.deadline - time.monotonic() + START_S
        for name in self.names[THREADS:]:
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.test_concurrency", "READER", str(self.target),
                 str(self.work), name, f"{seconds:.1f}"],
                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
        for t in self.threads:
            t.start()

    def all_read(self, mtime: int) -> bool:
        """Has every reader read the file of `mtime`? (A process that died counts as done: see finish.)"""
        for name, proc in self.procs.items():
            f = self.work / f"{name}.progress"
            if proc.poll() is not None:
                self.progress[name] = mtime
            elif f.exists():
                self.progress[name] = int(f.read_text())
        return all(self.progress.get(n) == mtime for n in self.names)

    def finish(self, final: int) -> dict[str, Outcome]:
        """Tell every reader the last file's mtime (or ABORT), wait for them within the deadline, collect."""
        _write(self.final, str(final))
        for t in self.threads:
            t.join(max(0.0, self.deadline - time.monotonic()) + 5)
        for name, proc in self.procs.items():
            try:
                stdout, stderr = proc.communicate(
                    timeout=max(0.0, self.deadline - time.monotonic()) + START_S
                )
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
            if proc.returncode == 0:
                self.outcomes[name] = Outcome(**json.loads(stdout))
            else:
                self.outcomes[name] = Outcome(errors=[f"exit {proc.returncode}: {stderr[-2000:]}"])
        assert not any(t.is_alive() for t in self.threads), "a reader thread did not stop in time"
        return self.outcomes


# ---------------------------------------------------------------- fixtures and the builder


@pytest.fixture(scope="module")
def snapshot_b(tmp_path_factory) -> Path:
    """A copy of the committed snapshot without one dataset (its parquet dropped, the manifest adjusted)."""
    copy = tmp_path_factory.mktemp("snapshot_b") / "snapshot"
    shutil.copytree(SNAPSHOT, copy)
    manifest = json.loads((copy / snapshot.MANIFEST).read_text(encoding="utf-8"))
    kept = [d for d in manifest["datasets"] if (d["source"], d["dataset"]) != DROPPED]
    assert len(kept) == len(manifest["datasets"]) - 1, f"{DROPPED} is not in the snapshot"
    for d in manifest["datasets"]:
        if (d["source"], d["dataset"]) == DROPPED:
            (copy / d["file"]).unlink()
    manifest["datasets"] = kept
    (copy / snapshot.MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return copy


def version_of(snapshot_dir: Path, n_obs: int) -> tuple[int, str]:
    return (n_obs, str(snapshot_dir))


def swap(snapshot_dir: Path, target: Path, built: list[tuple[int, tuple[int, str]]]) -> None:
    """Rebuild `target` from `snapshot_dir` and note (mtime_ns, version) of the file swapped in."""
    report = build_from_snapshot(snapshot_dir, target)
    built.append((target.stat().st_mtime_ns, version_of(snapshot_dir, report.observations)))


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {seconds:.0f} s")
        time.sleep(0.02)


def check_reads(name: str, out: Outcome, built: list[tuple[int, tuple[int, str]]]) -> list[str]:
    """What is wrong with one reader's reads: errors, incomplete versions, data older than its file."""
    problems = [f"{name}: {e}" for e in out.errors[:3]]
    order = [m for m, _ in built]
    versions = dict(built)
    for mtime, rows, n_obs, location, count, objectives in out.reads:
        if rows != 1 or n_obs != count or objectives != 9:
            problems.append(
                f"{name}: build_info rows={rows} n_obs={n_obs} count={count} objectives={objectives}"
            )
            continue
        # The file may be swapped between stat() and connect(): the data is that file's version or a later.
        later = {versions[m] for m in order[order.index(mtime) :]} if mtime in versions else set()
        if (n_obs, location) not in later:
            problems.append(
                f"{name}: connected for the file of {versions.get(mtime)}, read {(n_obs, location)}"
            )
    return problems[:10]


# ---------------------------------------------------------------- tests


def test_readers_during_swaps_see_whole_versions(tmp_path, snapshot_b):
    target, work = tmp_path / "wh" / "warehouse.duckdb", tmp_path / "work"
    work.mkdir()
    built: list[tuple[int, tuple[int, str]]] = []
    swap(SNAPSHOT, target, built)
    readers = Readers(target, work, time.monotonic() + SCENARIO_S)
    final = ABORT
    try:
        readers.start()
        wait_until(lambda: readers.all_read(built[-1][0]), START_S, "not every reader read the first file")
        for i in range(SWAPS):
            swap(snapshot_b if i % 2 == 0 else SNAPSHOT, target, built)
            wait_until(
                lambda: readers.all_read(built[-1][0]), SWAP_WAIT_S, f"not every reader read swap {i + 1}"
            )
        final = built[-1][0]
    finally:
        outcomes = readers.finish(final)

    assert [p.name for p in target.parent.iterdir()] == [target.name], "a temporary build file was left"
    assert len({v for _, v in built}) == 2, f"the two versions are not distinguishable: {built}"
    problems = [p for name in readers.names for p in check_reads(name, outcomes[name], built)]
    assert problems == []
    seen = {name: {(r[2], r[3]) for r in outcomes[name].reads} for name in readers.names}
    assert all(len(v) == 2 for v in seen.values()), f"a reader did not overlap the swaps: {seen}"


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "READER":
    _process_main(*sys.argv[2:])
