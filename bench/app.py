"""Dashboard pages → script run time per page (AppTest, vs a floor page) and server start → scorecard drawn.

Prints figures; never fails on timing. Run with `.venv/bin/python bench/app.py` (about two minutes).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.warehouse import build_from_snapshot  # noqa: E402
from presentation import browser as browser_binary  # noqa: E402

SNAPSHOT = ROOT / "data" / "snapshot"
APP = ROOT / "dashboard" / "app.py"
FLOOR = ROOT / "bench" / "floor_page.py"
STREAMLIT = ROOT / ".venv" / "bin" / "streamlit"
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = browser_binary.ARGS
RUNS = 10
STARTS = 3
PAGES = [
    ("scorecard", {}),
    ("objective", {"objective": "7"}),
    ("explorer", {"indicator": "renewables_share"}),
    ("dataset", {}),
    ("sources", {}),
    ("methodology", {}),
]


def median_p90(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1]


# ------------------------------------------------------------------------------- script run time (AppTest)


def _app(page: str | None, params: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP if page else FLOOR), default_timeout=120)
    if page:
        at.switch_page(f"app_pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at


def time_page(page: str | None, params: dict[str, str]) -> tuple[list[float], str]:
    """A fresh session per run (a new visitor); one warm-up fills the process-wide caches first."""
    samples, note = [], ""
    for i in range(RUNS + 1):
        at = _app(page, params)
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            note = f"EXCEPTION: {at.exception[0].value}"
        elif i == 0:
            note = at.title[0].value if at.title else "(no title)"
        if i:
            samples.append(elapsed)
    return samples, note


def time_floor_rerun() -> tuple[list[float], str]:
    """The same floor session rerun: the baseline for a widget change (no new session to set up)."""
    at = _app(None, {})
    at.run()
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - start)
    return samples, "floor for reruns"


def time_widget_change() -> tuple[list[float], str]:
    """Explorer already drawn; each rerun adds or removes Sweden in the countries multiselect."""
    at = _app("explorer", {"indicator": "renewables_share"})
    at.run()
    samples, kept = [], 0
    for i in range(RUNS + 1):
        geos = at.multiselect(key="geos")
        wanted = "SE" not in geos.value
        change = geos.select("SE") if wanted else geos.unselect("SE")
        start = time.perf_counter()
        change.run()
        elapsed = time.perf_counter() - start
        kept += ("SE" in at.multiselect(key="geos").value) == wanted
        if i:
            samples.append(elapsed)
    note = f"add/remove SE; change kept in {kept}/{RUNS + 1} reruns"
    if at.exception:
        note = f"EXCEPTION: {at.exception[0].value}"
    return samples, note


def bench_scripts(warehouse: Path) -> None:
    os.environ["AIPLAN_WAREHOUSE"] = str(warehouse)
    os.environ["AIPLAN_SNAPSHOT_DIR"] = str(SNAPSHOT)
    # (label, samples, check, index of the floor it is set against)
    rows = [("floor: st.title only", *time_page(None, {}), 0)]
    rows.append(("floor: st.title only, same-session rerun", *time_floor_rerun(), 1))
    for page, params in PAGES:
        label = page + "".join(f" {k}={v}" for k, v in params.items())
        rows.append((label, *time_page(page, params), 0))
    rows.append(("explorer after widget change (rerun)", *time_widget_change(), 1))
    floors = [statistics.median(rows[0][1]), statistics.median(rows[1][1])]
    print(f"Script run time with AppTest: median and p90 of {RUNS} runs after 1 warm-up, warm caches.")
    print("Pages run in a new session each time (x floor: vs the floor page in a new session);")
    print("the widget change reruns one session (x floor: vs the floor page rerun in one session).")
    print(f"{'page':42} {'median ms':>10} {'p90 ms':>8} {'x floor':>8}  check")
    for label, samples, note, floor in rows:
        med, p90 = median_p90(samples)
        print(f"{label:42} {med * 1e3:>10.1f} {p90 * 1e3:>8.1f} {med / floors[floor]:>8.2f}  {note}")


# -------------------------------------------------------------------------- server start → scorecard drawn


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not healthy within {timeout_s:.0f} s")


def _wait_scorecard(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0"
        " && document.querySelectorAll('.js-plotly-plot .main-svg').length > 0",
        timeout=120_000,
    )


def time_start(browser, warehouse: Path, log: Path) -> tuple[float, float]:
    """(seconds to /_stcore/health "ok", seconds to the scorecard drawn), both from the subprocess launch."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AIPLAN_WAREHOUSE": str(warehouse), "AIPLAN_SNAPSHOT_DIR": str(SNAPSHOT)}
    command = [
        str(STREAMLIT), "run", "dashboard/app.py", "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_healthy(url, proc)
        healthy = time.perf_counter() - start
        page = context.new_page()
        page.goto(url + "/")
        _wait_scorecard(page)
        drawn = time.perf_counter() - start
        if page.locator('[data-testid="stException"]').count():
            print("  ! the scorecard shows an exception")
        return healthy, drawn
    finally:
        context.close()
        _stop(proc)


def bench_starts(tmp: Path, warehouse: Path) -> None:
    """Cold and warm starts interleaved (after one untimed start), so drift hits both alike."""
    if CHROMIUM is None:
        print("Server start → scorecard drawn: skipped (chromium is not installed)")
        return
    from playwright.sync_api import sync_playwright

    print(
        f"Server launch → scorecard drawn in Chromium (notRunning, no skeleton, plotly SVG), {STARTS} starts"
    )
    print("of each kind; a fresh server process and browser context per start; browser launch excluded.")
    cold = "cold: no warehouse file, the app builds it (build INCLUDED)"
    warm = "warm: prebuilt warehouse (build EXCLUDED)"
    runs: dict[str, list[tuple[float, float]]] = {cold: [], warm: []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            time_start(browser, warehouse, tmp / "server_warmup.log")
            for i in range(STARTS):
                fresh = tmp / f"cold{i}" / "warehouse.duckdb"
                fresh.parent.mkdir()
                runs[cold].append(time_start(browser, fresh, tmp / f"server_cold{i}.log"))
                runs[warm].append(time_start(browser, warehouse, tmp / f"server_warm{i}.log"))
        finally:
            browser.close()
    print(f"{'start':60} {'health s':>9} {'drawn s':>8}  drawn, each start")
    for label, times in runs.items():
        health = statistics.median(r[0] for r in times)
        drawn = statistics.median(r[1] for r in times)
        each = ", ".join(f"{r[1]:.2f}" for r in times)
        print(f"{label:60} {health:>9.2f} {drawn:>8.2f}  {each}")
    print("(health s: launch → /_stcore/health 'ok'; drawn s: launch → scorecard drawn; medians)")


def main() -> None:
    # Each AppTest built on the main thread logs "missing ScriptRunContext"; expected there, so dropped.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    with tempfile.TemporaryDirectory(prefix="aiplan_bench_") as tmpdir:
        tmp = Path(tmpdir)
        warehouse = tmp / "warehouse.duckdb"
        start = time.perf_counter()
        build_from_snapshot(SNAPSHOT, warehouse)
        print(f"Warehouse built from the snapshot in {time.perf_counter() - start:.2f} s (before any timing)")
        print()
        bench_scripts(warehouse)
        print()
        bench_starts(tmp, warehouse)


if __name__ == "__main__":
    main()
