"""Local upstream (real bytes) + `aiplan refresh` → requests, bytes, seconds: full, no-change, dead upstream.

Starts tests/upstream's server in-process on 127.0.0.1 (real payloads of ../shared cut by whole lines, the
recorded TOC and answers), then, RUNS times: a full refresh on a fresh data dir, a refresh with nothing
changed upstream, and a refresh against an upstream answering 500 to everything, with the default retry
settings (4 retries, 1 s doubling backoff). Prints medians and the no-change / full ratio; never fails on
timing.
Run: `.venv/bin/python bench/refresh.py`.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402  (only for MonkeyPatch, to set and restore the environment)

from aiplan.cli import main  # noqa: E402
from tests.upstream.server import LocalUpstream  # noqa: E402

RAW = Path(os.environ.get("AIPLAN_SHARED", ROOT.parent / "shared")) / "data" / "raw"
RUNS = 3
UNSET = ("AIPLAN_WAREHOUSE", "AIPLAN_RAW_DIR", "AIPLAN_DESI_WORKBOOK_PATH", "AIPLAN_STATBEL_FILES",
         "AIPLAN_HTTP_BACKOFF", "AIPLAN_HTTP_RETRIES", "AIPLAN_CATALOG_DIR")  # fmt: skip


@dataclass
class Figures:
    requests: int  # HTTP requests the server received (retries included)
    bytes: int  # body bytes the server sent
    seconds: float  # wall time of `aiplan refresh`
    code: int


def refresh(upstream: LocalUpstream) -> Figures:
    """One in-process `aiplan refresh`, output swallowed; what the server saw and how long it took."""
    first = len(upstream.log)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["refresh"])
    seconds = time.perf_counter() - started
    seen = upstream.requests()[first:]
    return Figures(len(seen), sum(r.bytes for r in seen), seconds, code)


def median(runs: list[Figures], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def main_bench() -> int:
    if not RAW.is_dir():
        print(f"real upstream payloads not found at {RAW} (../shared is absent): nothing to measure")
        return 0
    full, unchanged, dead = [], [], []
    with LocalUpstream(RAW) as upstream, pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIPLAN_SNAPSHOT_DIR", str(ROOT / "data" / "snapshot"))
        for name, value in upstream.env().items():
            mp.setenv(name, value)
        for name in UNSET:
            mp.delenv(name, raising=False)
        for _ in range(RUNS):
            with tempfile.TemporaryDirectory(prefix="aiplan-bench-") as tmp:
                mp.setenv("AIPLAN_DATA_DIR", str(Path(tmp) / "data"))
                upstream.reset()
                full.append(refresh(upstream))
                unchanged.append(refresh(upstream))
                upstream.set_fault("*", "server_error")
                dead.append(refresh(upstream))
                upstream.reset()
                shutil.rmtree(Path(tmp) / "data", ignore_errors=True)

    print(f"\naiplan refresh against a local upstream serving the real bytes of {RAW}, median of {RUNS} runs")
    print("(exit code 1 is expected: 5 catalogue datasets have no file in ../shared, and rd_e_gerdtot's file")
    print(" has no EU aggregate; the dead upstream ends with exit 1 by design)\n")
    print(f"{'':26}{'requests':>10}{'bytes':>12}{'seconds':>10}{'exit':>6}")
    for label, runs in (("full refresh", full), ("no-change refresh", unchanged),
                        ("dead upstream (500s)", dead)):  # fmt: skip
        print(f"{label:26}{median(runs, 'requests'):>10.0f}{median(runs, 'bytes'):>12,.0f}"
              f"{median(runs, 'seconds'):>10.2f}{median(runs, 'code'):>6.0f}")  # fmt: skip
    ratio = {f: median(unchanged, f) / median(full, f) for f in ("requests", "bytes", "seconds")}
    label = "no-change / full"
    print(f"{label:26}{ratio['requests']:>10.1%}{ratio['bytes']:>12.2%}{ratio['seconds']:>10.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main_bench())
