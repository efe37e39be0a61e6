"""Shared pytest fixtures: the real upstream payloads (../shared, or committed excerpts) → warehouses built
from them, and markers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# CI lays ../shared beside the clone; AIPLAN_SHARED lets a developer point elsewhere.
SHARED = Path(os.environ.get("AIPLAN_SHARED", ROOT.parent / "shared")).resolve()
RAW = SHARED / "data" / "raw"
# Byte-exact excerpts of ../shared (tests/fixtures/upstream/README.md): what a checkout without ../shared has.
UPSTREAM_FIXTURE = FIXTURES / "upstream"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The real upstream payloads; tests that need them skip when ../shared is absent."""
    if not RAW.is_dir():
        pytest.skip(f"real upstream payloads not found at {RAW} (../shared is absent; CI has it)")
    return RAW


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def snapshot_warehouse(tmp_path_factory) -> Path:
    """A warehouse built once per session from the committed snapshot (read it, never write it)."""
    from pipelines.warehouse import build_from_snapshot

    path = tmp_path_factory.mktemp("snapshot_wh") / "warehouse.duckdb"
    build_from_snapshot(ROOT / "data" / "snapshot", path)
    return path


@pytest.fixture(scope="session")
def pack_pdf(snapshot_warehouse):
    """lang → the PDF briefing pack for Belgium from the snapshot warehouse, printed once per session
    (Chromium takes seconds a pack) for every test that reads it: legibility, content, language."""
    from pipelines.warehouse import connect_read_only
    from presentation import briefing

    printed: dict[str, bytes] = {}

    def pdf(lang: str) -> bytes:
        if lang not in printed:
            con = connect_read_only(snapshot_warehouse)
            try:
                printed[lang] = briefing.briefing_pdf(con, geo="BE", lang=lang)
            finally:
                con.close()
        return printed[lang]

    return pdf


@pytest.fixture(scope="session")
def upstream_fixture_raw() -> Path:
    """The committed excerpts laid out as ../shared/data/raw (recordings beside it), for a LocalUpstream."""
    return UPSTREAM_FIXTURE / "raw"


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory) -> Path:
    """A tiny warehouse built once per session by the project's own pipeline (build_from_raw) from the
    committed Eurostat and DESI excerpts. Tests derive the counts they assert from it or from the excerpts,
    never from today's snapshot. The Statbel excerpt is left out: it serves the local upstream's Statbel
    route, and no page shows it."""
    from pipelines.warehouse import build_from_raw

    base = tmp_path_factory.mktemp("fixture_wh")
    for source in ("eurostat", "desi"):
        shutil.copytree(UPSTREAM_FIXTURE / "raw" / source, base / "raw" / source)
    path = base / "warehouse.duckdb"
    build_from_raw(base / "raw", path)
    return path


@pytest.fixture
def fixture_env(fixture_warehouse, tmp_path, monkeypatch) -> Path:
    """The commands and pages pointed at the fixture warehouse; no snapshot beside it (the warehouse was built
    from raw files, so nothing may replace it anyway)."""
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(fixture_warehouse))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(tmp_path / "no-snapshot"))
    return fixture_warehouse


@pytest.fixture
def snapshot_env(snapshot_warehouse, monkeypatch) -> Path:
    """The commands and pages pointed at the snapshot warehouse (and the committed snapshot beside it)."""
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(snapshot_warehouse))
    monkeypatch.setenv("AIPLAN_SNAPSHOT_DIR", str(ROOT / "data" / "snapshot"))
    return snapshot_warehouse


# Modules whose tests take seconds each (real refreshes against a local upstream, swaps under readers, the
# briefing pack in Chromium, the app's pages): `slow`, so that `pytest -m "not e2e and not slow"` is a short
# inner loop; `make test` (and CI) runs everything.
SLOW_MODULES = {
    "test_refresh.py", "test_concurrency.py", "test_exports.py", "test_pack_legibility_checker.py",
    "test_http_client.py", "test_pages.py", "test_hostile_params.py", "test_current_sources.py",
    "test_build.py", "test_snapshot_policy.py", "test_export_cli.py", "test_hostile_labels.py",
    "test_auto_rebuild.py", "test_terminal_scorecard.py", "test_warehouse_schema.py",
}  # fmt: skip


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.e2e)
        elif path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
