"""1, 5, 10 concurrent browser sessions on the scorecard and explorer → draw times, server memory and CPU."""

# A fresh `streamlit run` per page and level (so its peak memory is that level's), one headless Chromium, N
# browser contexts navigating at the same moment, 2 rounds. Draw time is the browser's own clock
# (performance.now(), from navigation start) when the page is fully drawn: script idle, no skeleton, a plotly
# SVG. The server's CPU per draw and its share of the busy CPU tell server work from browser work (both share
# this machine). Prints figures; never fails on timing. Run: `.venv/bin/python bench/load.py` (about 3 min).

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.warehouse import build_from_snapshot  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SNAPSHOT,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)
from tests.e2e.test_browser import CHART, EXCEPTION, IDLE, NO_SKELETON  # noqa: E402

LEVELS = (1, 5, 10)
ROUNDS = 2
PAGES = [("scorecard", "/"), ("explorer", "/explorer?indicator=renewables_share")]
DRAW_TIMEOUT_MS = 120_000
# Polled in the page (every 25 ms, not on animation frames, which a busy headless tab may skip).
DRAWN = f"""() => {{
    if (!document.querySelector({json.dumps(IDLE)})) return false;
    if (!({NO_SKELETON})()) return false;
    if (!document.querySelector({json.dumps(CHART + " .main-svg")})) return false;
    return performance.now();
}}"""
CLK_TCK = os.sysconf("SC_CLK_TCK")
LEGEND = """\
draw: navigation start → script idle, no skeleton, plotly SVG (browser clock), p95 nearest rank;
round1|2 med: median of each round (round 1 on a fresh server: empty caches); RSS0: server RSS after
/_stcore/health, before the first session; peak: server VmHWM after both rounds; srv CPU: server user+system
CPU over both rounds (/draw: per draw); busy: the machine's CPU busy during the rounds; srv share: the
server's part of that busy CPU (the rest is Chromium and Playwright)."""


@dataclass
class Level:
    page: str
    n: int
    rounds: list[list[float]] = field(default_factory=list)  # draw seconds, per round
    rss_before_mb: float = 0.0
    hwm_mb: float = 0.0
    cpu_s: float = 0.0  # server CPU (user + system) spent on the rounds
    busy: float = math.nan  # share of the machine's CPU time busy during the rounds (all processes)
    server_share: float = math.nan  # the server's share of that busy CPU time
    failures: list[str] = field(default_factory=list)

    @property
    def samples(self) -> list[float]:
        return [s for r in self.rounds for s in r]


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


# ------------------------------------------------------------------------------------------ the sessions


async def draw(browser, url: str) -> float:
    """One new browser context (a new visitor) opening `url` → seconds from navigation start to drawn."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="commit", timeout=DRAW_TIMEOUT_MS)
        drawn = await page.wait_for_function(DRAWN, polling=25, timeout=DRAW_TIMEOUT_MS)
        ms = await drawn.json_value()
        if await page.locator(EXCEPTION).count():
            raise RuntimeError(
                f"the page shows an exception: {await page.locator(EXCEPTION).first.inner_text()}"
            )
        return ms / 1000
    finally:
        await context.close()


async def run_level(browser, page: str, path: str, n: int, tmp: Path, warehouse: Path) -> Level:
    level = Level(page, n)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AIPLAN_WAREHOUSE": str(warehouse), "AIPLAN_SNAPSHOT_DIR": str(SNAPSHOT)}
    proc = start_server(port, env, tmp / f"streamlit_{page}_{n}.log")
    try:
        await asyncio.to_thread(wait_healthy, base_url, proc)
        level.rss_before_mb = proc_status_mb(proc.pid, "VmRSS")
        cpu_before, (total_before, idle_before) = proc_cpu_s(proc.pid), machine_cpu()
        for _ in range(ROUNDS):
            results = await asyncio.gather(
                *(draw(browser, base_url + path) for _ in range(n)), return_exceptions=True
            )
            level.rounds.append([r for r in results if isinstance(r, float)])
            level.failures += [
                f"{type(r).__name__}: {r}"[:300] for r in results if isinstance(r, BaseException)
            ]
        level.cpu_s = proc_cpu_s(proc.pid) - cpu_before
        total, idle = machine_cpu()
        busy_s = (total - total_before) - (idle - idle_before)
        level.busy = busy_s / (total - total_before)
        level.server_share = level.cpu_s / busy_s if busy_s else math.nan
        level.hwm_mb = proc_status_mb(proc.pid, "VmHWM")
    finally:
        stop_server(proc)
    return level


# ------------------------------------------------------------------------------------------------ report


def median_p95(samples: list[float]) -> tuple[float, float]:
    if not samples:
        return math.nan, math.nan
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


def report(levels: list[Level]) -> None:
    print(f"{'page':10} {'N':>3} {'draws':>5} {'median s':>9} {'p95 s':>6} {'round1|2 med':>13} "
          f"{'RSS0 MB':>7} {'peak MB':>7} {'srv CPU s':>9} {'/draw':>6} {'busy':>5} "
          f"{'srv share':>9}")  # fmt: skip
    for lv in levels:
        med, p95 = median_p95(lv.samples)
        per_round = "|".join(f"{median_p95(r)[0]:.2f}" for r in lv.rounds)
        per_draw = lv.cpu_s / len(lv.samples) if lv.samples else math.nan
        print(f"{lv.page:10} {lv.n:>3} {len(lv.samples):>5} {med:>9.2f} {p95:>6.2f} {per_round:>13} "
              f"{lv.rss_before_mb:>7.0f} {lv.hwm_mb:>7.0f} {lv.cpu_s:>9.2f} {per_draw:>6.2f} "
              f"{lv.busy:>5.0%} {lv.server_share:>9.0%}")  # fmt: skip
        for failure in lv.failures[:3]:
            print(f"    ! {failure}")
    print()
    for page, _ in PAGES:
        by_n = [lv for lv in levels if lv.page == page]
        lo, hi = by_n[0], by_n[-1]
        ratio = median_p95(hi.samples)[0] / median_p95(lo.samples)[0]
        slopes = ", ".join(
            f"{a.n}→{b.n} {(b.hwm_mb - a.hwm_mb) / (b.n - a.n):+.1f}"
            for a, b in zip(by_n, by_n[1:], strict=False)
        )
        print(f"{page}: median draw N={hi.n} / N={lo.n} = {ratio:.2f}x for {hi.n // lo.n}x the sessions; "
              f"peak memory per added session {(hi.hwm_mb - lo.hwm_mb) / (hi.n - lo.n):+.1f} MB "
              f"(MB/session: {slopes})")  # fmt: skip


async def main_async(tmp: Path, warehouse: Path) -> list[Level]:
    from playwright.async_api import async_playwright

    levels = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for page, path in PAGES:
                for n in LEVELS:
                    started = time.perf_counter()
                    levels.append(await run_level(browser, page, path, n, tmp, warehouse))
                    print(f"  {page} N={n}: {time.perf_counter() - started:.1f} s (server start included)",
                          flush=True)  # fmt: skip
        finally:
            await browser.close()
    return levels


def main() -> None:
    if not Path(CHROMIUM).exists():
        print(f"Load bench skipped: no chromium at {CHROMIUM}")
        return
    with tempfile.TemporaryDirectory(prefix="aiplan_load_") as tmpdir:
        tmp = Path(tmpdir)
        warehouse = tmp / "warehouse.duckdb"
        build_from_snapshot(SNAPSHOT, warehouse)
        print(f"Concurrent sessions: {LEVELS} × {ROUNDS} rounds per page, a fresh server per page and N; "
              f"{os.cpu_count()} CPUs shared by server and browser")  # fmt: skip
        started = time.perf_counter()
        levels = asyncio.run(main_async(tmp, warehouse))
        print(f"  browser part: {time.perf_counter() - started:.0f} s")
        print()
        report(levels)
        print()
        print(LEGEND)


if __name__ == "__main__":
    main()
