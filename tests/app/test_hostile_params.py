"""Hypothesis: random and hostile query parameters on every page (fixture warehouse) → no exception, no live
markup, a notice."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from pipelines.settings import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")
PAGES = {
    None: ["geo", "lang"],
    "objective": ["objective", "geo", "lang"],
    "explorer": ["indicator", "geos", "view", "from", "to", "year", "b_size_emp", "lang"],
    "dataset": ["dataset", "series", "geo"],
    "sources": ["lang"],
    "methodology": ["lang"],
}
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](http://example.invalid/x.png)",
    "**bold** _it_ `code` # heading",
    "'; DROP TABLE observations; --",
    "1 OR 1=1",
    "BE' UNION SELECT * FROM fetches --",
    "%00%0d%0a",
    "../../etc/passwd",
    "ÉÈ€漢字🚀\u202e",
    "x" * 5000,
    "",
]
# Markup that would be live in Streamlit markdown if it were not escaped.
LIVE = [re.compile(p) for p in (r"(?<!\\)<script", r"(?<!\\)<img", r"(?<!\\)\]\((?!\))", r"(?<!\\)!\[")]

values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
params = st.dictionaries(st.sampled_from(sorted({k for ks in PAGES.values() for k in ks})),
                         st.one_of(values, st.lists(values, min_size=2, max_size=3)), max_size=4)  # fmt: skip


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "warning", "info", "header", "subheader", "title", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def _run(page, query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(f"app_pages/{page}.py")
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
@given(page=st.sampled_from(list(PAGES)), query=params)
def test_hostile_parameters_never_break_a_page(app_env, page, query):
    at = _run(page, query)
    assert not at.exception, (page, query, [e.value for e in at.exception])
    for text in _texts(at):
        for pattern in LIVE:
            assert not pattern.search(text), (page, query, text[:200])


# Parameters that only mean something alongside another one.
# A size class only for an indicator with size breakdowns (the default one's excerpt has a single size class).
CONTEXT = {
    ("explorer", "year"): {"view": "ranking"},
    ("explorer", "b_size_emp"): {"indicator": "cloud_enterprises"},
}


def test_each_hostile_value_gets_the_notice_on_every_page(app_env):
    for page, keys in PAGES.items():
        for key in keys:
            at = _run(page, {**CONTEXT.get((page, key), {}), key: "<script>alert(1)</script>"})
            assert not at.exception, (page, key)
            notices = [w.value for w in at.warning]
            assert any("not available" in n for n in notices), (page, key)
            assert all("\\<script\\>" in n for n in notices if "script" in n), notices
