"""1, 5, 10, 20 concurrent sessions per page, driven without a browser → server-side time per page run.

No Chromium: each session is a websocket client speaking Streamlit's own protocol (a BackMsg asking for the
page, as the browser sends it; the ForwardMsgs read until script_finished), so the two cores are the
server's, not shared with browsers drawing. Two figures per page run:
- script: the script's wall time inside the server, logged by the app itself (AIPLAN_TIMING_LOG, see
  _run_timed in dashboard/app.py), from the entry point's first line to the page's last;
- round trip: the client's clock from sending the request to receiving script_finished (script, plus the
  session set-up and the messages' way out through the server's event loop).
A fresh `streamlit run` per level (so its peak memory is that level's); one untimed visit per page first
(a new server's first visitor pays the imports and fills the caches: bench/app.py times that start). Then
two ways of arriving:
- burst: rounds of N sessions opening the page at the same moment, new sessions each round (new visitors),
  until each page has at least MIN_SAMPLES runs: the worst case, N requests queued for one interpreter;
- browsing: N sessions at once, each opening the three pages in turn VIEWS times, with a random pause
  between views (exponential, mean --think seconds, and a random start): N people using the app together.
Prints figures; never fails on timing.
Run: `.venv/bin/python bench/load.py` (about 5 min; `--levels 1,10` for fewer, `--think 0` for no browsing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from pipelines.warehouse import build_from_snapshot  # noqa: E402
from tests.e2e.conftest import SNAPSHOT, free_port, start_server, stop_server, wait_healthy  # noqa: E402

LEVELS = (1, 5, 10, 20)
MIN_SAMPLES = 20  # page runs per page and level: rounds = ceil(MIN_SAMPLES / N), at least 2
# (label, page name as the browser sends it — the st.Page url_path, "" for the default —, query string)
PAGES = [
    ("scorecard", "", ""),
    ("objective", "objective", "objective=7"),
    ("explorer", "explorer", "indicator=renewables_share"),
]
RUN_TIMEOUT_S = 120
THINK_S = 3.0  # mean pause between one person's page views (browsing)
VIEWS = 12  # page views per person (browsing): the three pages in turn
CLK_TCK = os.sysconf("SC_CLK_TCK")
LEGEND = """\
script: the page's script run inside the server (the app's own timing log), median and p95 (nearest rank);
cpu: the median CPU of that script thread (script minus cpu: waiting for the interpreter lock, i.e. for
the other sessions); trip: request sent → script_finished received, at the client; srv CPU/run: the server
process's CPU over the rounds per page run (all threads: scripts, event loop, serialisation); busy: the
machine's CPU busy during the rounds (the clients' part is small: they only parse protobuf); RSS0: server
RSS after the warm-up visits; peak: VmHWM after all rounds of the level."""


@dataclass
class Result:
    page: str
    n: int
    script: list[float] = field(default_factory=list)  # server-side script wall seconds (timing log)
    cpu: list[float] = field(default_factory=list)  # server-side script thread CPU seconds
    trip: list[float] = field(default_factory=list)  # client: request → script_finished
    server_cpu_s: float = 0.0
    busy: float = math.nan
    rss0_mb: float = 0.0
    peak_mb: float = 0.0
    failures: list[str] = field(default_factory=list)


@dataclass
class Browsing:
    n: int
    script: list[float] = field(default_factory=list)
    trip: list[float] = field(default_factory=list)
    busy: float = math.nan
    failures: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ the server process


def proc_status_mb(pid: int, key: str) -> float:
    """VmRSS / VmHWM etc. of a process, in MB (from /proc/<pid>/status, kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def machine_cpu() -> tuple[float, float]:
    """(total, idle) CPU seconds of the whole machine since boot, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) / CLK_TCK, (ticks[3] + ticks[4]) / CLK_TCK


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (and of its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def read_log(path: Path, offset: int) -> tuple[list[dict], int]:
    """The timing lines appended since `offset`, and the new offset."""
    if not path.exists():
        return [], offset
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()], offset + len(data)


# ------------------------------------------------------------------------------------------ the sessions


async def visit(ws_url: str, page_name: str, query: str) -> float:
    """A new session (a new visitor) asks for one page → seconds from the request to script_finished."""
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        request = BackMsg()
        request.rerun_script.page_name = page_name
        request.rerun_script.query_string = query
        start = time.perf_counter()
        await ws.send(request.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(ws.recv(), RUN_TIMEOUT_S))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                raise RuntimeError(f"the page shows an exception: {msg.delta.new_element.exception.message}")
            if kind == "script_finished":
                return time.perf_counter() - start


async def browse(ws_url: str, rng: random.Random, think_s: float) -> list[float]:
    """One person: a random start, then the pages in turn with a pause between views → trip seconds."""
    await asyncio.sleep(rng.uniform(0, think_s))
    trips = []
    for view in range(VIEWS):
        _, page_name, query = PAGES[view % len(PAGES)]
        trips.append(await visit(ws_url, page_name, query))
        await asyncio.sleep(rng.expovariate(1 / think_s))
    return trips


async def run_level(n: int, tmp: Path, warehouse: Path, think_s: float) -> tuple[list[Result], Browsing]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    ws_url = f"ws://127.0.0.1:{port}/_stcore/stream"
    log = tmp / f"timing_{n}.jsonl"
    env = {**os.environ, "AIPLAN_WAREHOUSE": str(warehouse), "AIPLAN_SNAPSHOT_DIR": str(SNAPSHOT),
           "AIPLAN_TIMING_LOG": str(log)}  # fmt: skip
    proc = start_server(port, env, tmp / f"streamlit_{n}.log")
    results = []
    try:
        await asyncio.to_thread(wait_healthy, base_url, proc)
        for _, page_name, query in PAGES:  # untimed: imports, connection, caches
            await visit(ws_url, page_name, query)
        _, offset = read_log(log, 0)
        rss0 = proc_status_mb(proc.pid, "VmRSS")
        rounds = max(2, math.ceil(MIN_SAMPLES / n))
        for label, page_name, query in PAGES:
            result = Result(label, n, rss0_mb=rss0)
            cpu_before, (total_before, idle_before) = proc_cpu_s(proc.pid), machine_cpu()
            for _ in range(rounds):
                trips = await asyncio.gather(*(visit(ws_url, page_name, query) for _ in range(n)),
                                             return_exceptions=True)  # fmt: skip
                result.trip += [x for x in trips if isinstance(x, float)]
                result.failures += [
                    f"{type(x).__name__}: {x}"[:300] for x in trips if isinstance(x, BaseException)
                ]
                await asyncio.sleep(0.2)  # let the closed sessions go before the next round
            result.server_cpu_s = proc_cpu_s(proc.pid) - cpu_before
            total, idle = machine_cpu()
            result.busy = ((total - total_before) - (idle - idle_before)) / (total - total_before)
            lines, offset = read_log(log, offset)
            result.script = [x["wall_s"] for x in lines if x["page"] == label]
            result.cpu = [x["cpu_s"] for x in lines if x["page"] == label]
            results.append(result)
        browsing = Browsing(n)
        if think_s > 0:
            rng = random.Random(n)  # the same pauses in every run of the bench
            (total_before, idle_before) = machine_cpu()
            people = await asyncio.gather(*(browse(ws_url, rng, think_s) for _ in range(n)),
                                          return_exceptions=True)  # fmt: skip
            total, idle = machine_cpu()
            browsing.busy = ((total - total_before) - (idle - idle_before)) / (total - total_before)
            browsing.trip = [x for trips in people if isinstance(trips, list) for x in trips]
            browsing.failures = [
                f"{type(x).__name__}: {x}"[:300] for x in people if isinstance(x, BaseException)
            ]
            lines, offset = read_log(log, offset)
            browsing.script = [x["wall_s"] for x in lines]
        for result in results:
            result.peak_mb = proc_status_mb(proc.pid, "VmHWM")
    finally:
        stop_server(proc)
    return results, browsing


# ------------------------------------------------------------------------------------------------ report


def median_p95(samples: list[float]) -> tuple[float, float]:
    if not samples:
        return math.nan, math.nan
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


def report_browsing(browsing: list[Browsing], think_s: float) -> None:
    print(f"Browsing: N people at once, each {VIEWS} page views (the three pages in turn), pauses of "
          f"{think_s:g} s on average; all pages together")  # fmt: skip
    print(f"{'N':>3} {'runs':>4} {'script med ms':>13} {'p95 ms':>7} {'trip med ms':>11} {'p95 ms':>7} "
          f"{'busy':>5} {'p95 trip / N=1':>14}")  # fmt: skip
    base = next((median_p95(b.trip)[1] for b in browsing if b.n == 1), math.nan)
    for b in browsing:
        s_med, s_p95 = median_p95(b.script)
        t_med, t_p95 = median_p95(b.trip)
        print(f"{b.n:>3} {len(b.trip):>4} {s_med * 1e3:>13.1f} {s_p95 * 1e3:>7.1f} {t_med * 1e3:>11.1f} "
              f"{t_p95 * 1e3:>7.1f} {b.busy:>5.0%} {t_p95 / base:>13.2f}x")  # fmt: skip
        for failure in b.failures[:3]:
            print(f"    ! {failure}")


def report(results: list[Result]) -> None:
    print(f"{'page':10} {'N':>3} {'runs':>4} {'script med ms':>13} {'p95 ms':>7} {'cpu med ms':>10} "
          f"{'trip med ms':>11} {'p95 ms':>7} {'srv CPU/run ms':>14} {'busy':>5} {'RSS0 MB':>7} "
          f"{'peak MB':>7}")  # fmt: skip
    for r in results:
        s_med, s_p95 = median_p95(r.script)
        t_med, t_p95 = median_p95(r.trip)
        per_run = r.server_cpu_s / len(r.trip) if r.trip else math.nan
        cpu = statistics.median(r.cpu or [math.nan])
        print(f"{r.page:10} {r.n:>3} {len(r.script):>4} {s_med * 1e3:>13.1f} {s_p95 * 1e3:>7.1f} "
              f"{cpu * 1e3:>10.1f} {t_med * 1e3:>11.1f} {t_p95 * 1e3:>7.1f} "
              f"{per_run * 1e3:>14.1f} {r.busy:>5.0%} {r.rss0_mb:>7.0f} {r.peak_mb:>7.0f}")  # fmt: skip
        for failure in r.failures[:3]:
            print(f"    ! {failure}")
    print()
    for label, _, _ in PAGES:
        by_n = {r.n: r for r in results if r.page == label}
        if 1 not in by_n:
            continue
        base_s, base_t = median_p95(by_n[1].script)[1], median_p95(by_n[1].trip)[1]
        ratios = ", ".join(
            f"N={n}: script {median_p95(r.script)[1] / base_s:.2f}x, "
            f"trip {median_p95(r.trip)[1] / base_t:.2f}x"
            for n, r in sorted(by_n.items()) if n != 1
        )  # fmt: skip
        print(f"{label}: p95(N) / p95(1) — {ratios}")


async def main_async(
    levels: tuple[int, ...], tmp: Path, warehouse: Path, think_s: float
) -> tuple[list[Result], list[Browsing]]:
    results, browsing = [], []
    for n in levels:
        started = time.perf_counter()
        level, people = await run_level(n, tmp, warehouse, think_s)
        results += level
        browsing.append(people)
        print(f"  N={n}: {time.perf_counter() - started:.1f} s (server start included)", flush=True)
    return results, browsing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrent sessions, e.g. 1,10")
    parser.add_argument("--think", type=float, default=THINK_S, help="mean pause while browsing (0: none)")
    args = parser.parse_args()
    levels = tuple(int(x) for x in args.levels.split(","))
    with tempfile.TemporaryDirectory(prefix="aiplan_load_") as tmpdir:
        tmp = Path(tmpdir)
        warehouse = tmp / "warehouse.duckdb"
        build_from_snapshot(SNAPSHOT, warehouse)
        load = os.getloadavg()
        print(f"Concurrent sessions {levels} on {[p for p, _, _ in PAGES]}, no browser; a fresh server per "
              f"level; {os.cpu_count()} CPUs; load average before: "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
        client_cpu = time.process_time()
        started = time.perf_counter()
        results, browsing = asyncio.run(main_async(levels, tmp, warehouse, args.think))
        print(f"  sessions part: {time.perf_counter() - started:.0f} s, of which the clients' CPU "
              f"{time.process_time() - client_cpu:.1f} s; load average after: "
              f"{os.getloadavg()[0]:.2f}")  # fmt: skip
        print()
        print("Burst: N sessions open the same page at the same moment")
        report(results)
        print()
        if args.think > 0:
            report_browsing(browsing, args.think)
            print()
        print(LEGEND)


if __name__ == "__main__":
    main()
