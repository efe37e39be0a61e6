"""Snapshot warehouse in a temp dir → one Streamlit server and one headless Chromium for the e2e session."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from presentation import browser as browser_binary

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / "data" / "snapshot"
STREAMLIT = REPO / ".venv" / "bin" / "streamlit"
CHROMIUM = browser_binary.executable()
CHROMIUM_ARGS = browser_binary.ARGS
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 15_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(port: int) -> list[str]:
    exe = str(STREAMLIT) if STREAMLIT.exists() else shutil.which("streamlit") or "streamlit"
    return [
        exe, "run", "dashboard/app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Launch `streamlit run` in its own process group (so teardown can end it and its children)."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            streamlit_command(port),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout_s: float = START_TIMEOUT_S) -> None:
    """Poll /_stcore/health until it answers "ok"; raise if the server dies or the time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url}/_stcore/health did not answer 'ok' within {timeout_s:.0f} s")


@pytest.fixture(scope="session")
def e2e_warehouse(tmp_path_factory) -> Path:
    from pipelines.warehouse import build_from_snapshot

    path = tmp_path_factory.mktemp("e2e_wh") / "warehouse.duckdb"
    build_from_snapshot(SNAPSHOT, path)
    return path


@pytest.fixture(scope="session")
def server(e2e_warehouse, tmp_path_factory) -> str:
    """Base URL of a Streamlit server on a free port, serving the app on the snapshot warehouse."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AIPLAN_WAREHOUSE": str(e2e_warehouse), "AIPLAN_SNAPSHOT_DIR": str(SNAPSHOT)}
    log = tmp_path_factory.mktemp("e2e_server") / "streamlit.log"
    proc = start_server(port, env, log)
    try:
        try:
            wait_healthy(base_url, proc)
        except (RuntimeError, TimeoutError) as exc:
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"Streamlit server did not start: {exc}\n--- server log ---\n{tail}", pytrace=False)
        yield base_url
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context_page(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A fresh browser context and page per test (desktop viewport)."""
    context, pg = _context_page(browser, viewport={"width": 1400, "height": 1000})
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    """A fresh context with a phone's viewport (390×844, mobile, touch)."""
    context, pg = _context_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield pg
    context.close()
