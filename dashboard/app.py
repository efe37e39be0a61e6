"""Streamlit entry point: a warehouse from the snapshot when there is none (never read-only), then pages."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import streamlit as st

# The script's start, for the timing log (_run_timed): a page's run includes this entry point.
_WALL0, _CPU0 = time.perf_counter(), time.thread_time()

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repository root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import state  # noqa: E402
from pipelines.settings import get_settings  # noqa: E402
from pipelines.warehouse import (  # noqa: E402
    build_from_snapshot,
    migrate_refreshed,
    migration_needed,
    snapshot_build_needed,
)
from presentation.i18n import LANGS, t  # noqa: E402


@st.cache_resource
def _ensure_warehouse(warehouse: Path, snapshot_dir: Path, read_only: bool) -> str | None:
    """First start on a fresh clone: the embedded default becomes the warehouse in about a second. A warehouse
    a refresh built is never replaced; with AIPLAN_READ_ONLY=1 (production) the app writes nothing at all.
    Cached per warehouse and mode, so one process serving another configuration checks again."""
    if read_only:
        if not warehouse.exists():
            return "no_warehouse"
        return "old_layout" if migration_needed(warehouse) else None
    needed, _ = snapshot_build_needed(warehouse, snapshot_dir)
    if needed:
        build_from_snapshot(snapshot_dir, warehouse)
    elif migration_needed(warehouse):
        migrate_refreshed(warehouse, get_settings().raw_dir, snapshot_dir)
    return None


def _run_timed(page: st.Page, path: str) -> None:
    """The server side of bench/load.py: with AIPLAN_TIMING_LOG naming a file, each run appends one JSON line
    (page, wall and CPU seconds of this script thread), even when the page stops early (st.stop, st.rerun)."""
    try:
        page.run()
    finally:
        line = json.dumps({
            "page": page.url_path or "scorecard", "wall_s": round(time.perf_counter() - _WALL0, 6),
            # This thread's CPU alone: wall minus CPU is time spent waiting for the interpreter lock or I/O.
            "cpu_s": round(time.thread_time() - _CPU0, 6), "at": time.time(),
        })  # fmt: skip
        # One short write with O_APPEND: lines from concurrent sessions do not interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)


st.set_page_config(page_title=t("app.title"), page_icon=":material/monitoring:", layout="wide")
_settings = get_settings()
_missing = _ensure_warehouse(_settings.warehouse, _settings.snapshot_dir, _settings.read_only)
if _missing:
    st.error(t("app.old_layout") if _missing == "old_layout" else t("app.no_warehouse"))
    st.stop()

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "nl": "Nederlands", "de": "Deutsch"}
with st.sidebar:
    # Rendered by the entry point, so the choice holds on every page and travels in the URL (?lang=fr).
    lang = state.select(
        # In every language at once, so that a reader who does not read the current one finds theirs.
        " · ".join(t("sidebar.language", code) for code in LANGS),
        list(LANGS),
        key="lang",
        default="en",
        lang="en",
        format_func=LANGUAGE_NAMES.get,
    )

PAGES = Path(__file__).parent / "app_pages"
page = st.navigation(
    [
        st.Page(
            PAGES / "scorecard.py", title=t("nav.scorecard", lang), icon=":material/dashboard:", default=True
        ),
        st.Page(
            PAGES / "objective.py",
            title=t("nav.objective", lang),
            icon=":material/flag:",
            url_path="objective",
        ),
        st.Page(
            PAGES / "actions.py",
            title=t("nav.actions", lang),
            icon=":material/checklist:",
            url_path="actions",
        ),
        st.Page(
            PAGES / "explorer.py",
            title=t("nav.explorer", lang),
            icon=":material/query_stats:",
            url_path="explorer",
        ),
        st.Page(
            PAGES / "dataset.py", title=t("nav.dataset", lang), icon=":material/dataset:", url_path="dataset"
        ),
        st.Page(
            PAGES / "changes.py",
            title=t("nav.changes", lang),
            icon=":material/update:",
            url_path="changes",
        ),
        st.Page(
            PAGES / "sources.py", title=t("nav.sources", lang), icon=":material/source:", url_path="sources"
        ),
        st.Page(
            PAGES / "methodology.py",
            title=t("nav.methodology", lang),
            icon=":material/menu_book:",
            url_path="methodology",
        ),
    ]
)
_timing_log = os.environ.get("AIPLAN_TIMING_LOG")
if _timing_log:
    _run_timed(page, _timing_log)
else:
    page.run()
