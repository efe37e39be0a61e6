"""Local Eurostat look-alike + `aiplan refresh` → requests, bytes, seconds: full vs no-change refresh."""

# Starts tests/upstream's server in-process on 127.0.0.1 (answers from the real payloads in ../shared), runs
# a full refresh on a fresh data dir and then a refresh with no TOC change, three times, and prints the
# medians and their ratio. Prints figures; never fails on timing. Run: `.venv/bin/python bench/refresh.py`.

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402  (only for MonkeyPatch, to set and restore the environment)

from pipelines import fetch, warehouse  # noqa: E402
from pipelines.cli import main  # noqa: E402
from tests.upstream.server import FakeUpstream  # noqa: E402

RAW = Path(os.environ.get("AIPLAN_SHARED", ROOT.parent / "shared")) / "data" / "raw"
RUNS = 3
UNSET = ("AIPLAN_WAREHOUSE", "AIPLAN_RAW_DIR", "AIPLAN_DESI_WORKBOOK_PATH", "AIPLAN_STATBEL_FILES")


@dataclass
class Figures:
    requests: int  # HTTP requests the server received (retries included)
    bytes: int  # body bytes the server sent
    seconds: float  # wall time of `aiplan refresh`
    fetch_seconds: float
    build_seconds: float
    code: int


def refresh(upstream: FakeUpstream) -> Figures:
    """One in-process `aiplan refresh`, output swallowed; what the server saw, how long each part took."""
    spent = {"fetch": 0.0, "build": 0.0}
    real_fetch, real_build = fetch.fetch, warehouse.build_refresh

    def timed(name, fn):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return run

    first = len(upstream.log)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fetch, "fetch", timed("fetch", real_fetch))
        mp.setattr(warehouse, "build_refresh", timed("build", real_build))
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["refresh"])
        seconds = time.perf_counter() - started
    seen = upstream.requests()[first:]
    return Figures(len(seen), sum(r.bytes for r in seen), seconds, spent["fetch"], spent["build"], code)


def median(runs: list[Figures], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def main_bench() -> int:
    if not RAW.is_dir():
        print(f"real upstream payloads not found at {RAW} (../shared is absent): nothing to measure")
        return 0
    full, unchanged = [], []
    with FakeUpstream(RAW) as upstream, pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIPLAN_SNAPSHOT_DIR", str(ROOT / "data" / "snapshot"))
        for name, value in upstream.env().items():
            mp.setenv(name, value)
        for name in UNSET:
            mp.delenv(name, raising=False)
        for _ in range(RUNS):
            with tempfile.TemporaryDirectory(prefix="aiplan-bench-") as tmp:
                mp.setenv("AIPLAN_DATA_DIR", str(Path(tmp) / "data"))
                full.append(refresh(upstream))
                unchanged.append(refresh(upstream))

    print(f"\naiplan refresh against a local Eurostat look-alike ({RAW}), median of {RUNS} runs")
    print("(exit code 1 is expected: 4 catalogue datasets are not in ../shared and answer 404)\n")
    print(f"{'':22}{'requests':>10}{'bytes':>12}{'seconds':>10}{'fetch s':>10}{'build s':>10}{'exit':>6}")
    for label, runs in (("full refresh", full), ("no-change refresh", unchanged)):
        print(f"{label:22}{median(runs, 'requests'):>10.0f}{median(runs, 'bytes'):>12,.0f}"
              f"{median(runs, 'seconds'):>10.2f}{median(runs, 'fetch_seconds'):>10.2f}"
              f"{median(runs, 'build_seconds'):>10.2f}{median(runs, 'code'):>6.0f}")  # fmt: skip
    ratio = {f: median(unchanged, f) / median(full, f) for f in ("requests", "bytes", "seconds")}
    label = "no-change / full"
    print(f"{label:22}{ratio['requests']:>10.1%}{ratio['bytes']:>12.2%}{ratio['seconds']:>10.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main_bench())
