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

SNAPSHOT = ROOT / "data" / "snapshot"
APP = ROOT / "dashboard" / "app.py"
FLOOR = ROOT / "bench" / "floor_page.py"
STREAMLIT = ROOT / ".venv" / "bin" / "streamlit"
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
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


def time_widget_change() -> tuple[list[float], str]:
    """Explorer already drawn; each run adds or removes Sweden in the countries multiselect."""
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
    note = f"add/remove SE; change kept in {kept}/{RUNS + 1} runs"
    if at.exception:
        note = f"EXCEPTION: {at.exception[0].value}"
    return samples, note


def bench_scripts(warehouse: Path) -> None:
    os.environ["AIPLAN_WAREHOUSE"] = str(warehouse)
    os.environ["AIPLAN_SNAPSHOT_DIR"] = str(SNAPSHOT)
    rows = [("floor (st.title only)", *time_page(None, {}))]
    for page, params in PAGES:
        label = page + "".join(f" {k}={v}" for k, v in params.items())
        rows.append((label, *time_page(page, params)))
    rows.append(("explorer after widget change", *time_widget_change()))
    floor = statistics.median(rows[0][1])
    print(f"Script run time with AppTest: median and p90 of {RUNS} runs after 1 warm-up, warm caches")
    print(f"{'page':42} {'median ms':>10} {'p90 ms':>8} {'x floor':>8}  check")
    for label, samples, note in rows:
        med, p90 = median_p90(samples)
        print(f"{label:42} {med * 1e3:>10.1f} {p90 * 1e3:>8.1f} {med / floor:>8.1f}  {note}")


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
    if CHROMIUM is None:
        print("Server start → scorecard drawn: skipped (chromium is not installed)")
        return
    from playwright.sync_api import sync_playwright

    print(f"Server start → scorecard drawn in Chromium (notRunning, no skeleton, a plotly SVG), {STARTS} starts")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            cases = [
                ("cold: no warehouse, app builds it (build INCLUDED)", lambda i: tmp / f"cold{i}" / "wh.duckdb"),
                ("warm: prebuilt warehouse (build EXCLUDED)", lambda i: warehouse),
            ]
            print(f"{'start':52} {'health s':>9} {'drawn s':>8}  (medians; each drawn run)")
            for label, path_for in cases:
                runs = []
                for i in range(STARTS):
                    path = path_for(i)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    runs.append(time_start(browser, path, tmp / f"server_{len(runs)}_{i}.log"))
                health = statistics.median(r[0] for r in runs)
                drawn = statistics.median(r[1] for r in runs)
                each = ", ".join(f"{r[1]:.2f}" for r in runs)
                print(f"{label:52} {health:>9.2f} {drawn:>8.2f}  ({each})")
        finally:
            browser.close()


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
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
