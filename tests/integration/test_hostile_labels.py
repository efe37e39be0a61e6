"""Hostile upstream labels (geo names) → inert text in the figures (title, legend, hover, annotations) and the
pack's HTML, whichever layer escapes them: checked on the output only."""

import pytest

from pipelines.warehouse import connect_read_only
from presentation import briefing, charts, exports, geo, pack_content

HOSTILE = "<script>alert(1)</script> <b>x</b> &amp;"
# Shown as typed: markup as entities, the typed "&amp;" escaped once (so it reads "&amp;", not "&").
SHOWN = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt; &amp;amp;"
RAW = ("<script", "<b>x</b>")


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from _strings(v)


def _texts(fig) -> list[str]:
    """Every string of the figure: titles, trace names, hover templates, annotations, tick texts."""
    return list(_strings(fig.to_plotly_json()))


def _hostile_names(upstream: dict[str, str], code: str) -> dict[str, str]:
    return {**upstream, code: HOSTILE}


@pytest.fixture
def con(fixture_warehouse):
    c = connect_read_only(fixture_warehouse)
    yield c
    c.close()


def _assert_inert(texts: list[str]):
    joined = "\n".join(texts)
    for raw in RAW:
        assert raw not in joined, raw
    assert SHOWN in joined  # the label is shown, as typed
    assert "&amp;amp;amp;" not in joined  # escaped once, not twice


@pytest.mark.parametrize("indicator", ["renewables_share", "ai_enterprises"])  # a trend, a one-year ranking
def test_indicator_figures_show_a_hostile_geo_name_as_text(con, indicator):
    ctx = exports.indicator_context(con, indicator, "BE", "en")
    ctx["names"] = _hostile_names(ctx["names"], "NL")
    _assert_inert(_texts(exports.chart_figure(ctx, "BE", "en")))


def test_trend_chart_shows_hostile_names_and_title_as_text(con):
    ctx = exports.indicator_context(con, "renewables_share", "BE", "en")
    values = ctx["values"][ctx["values"]["geo"].isin(["BE", "NL"])]
    fig = charts.trend_chart(values, title=HOSTILE, unit="%", source_line=HOSTILE, highlight="BE",
                             geo_names={"BE": "Belgium", "NL": HOSTILE})  # fmt: skip
    texts = _texts(fig)
    _assert_inert(texts)
    assert sum(SHOWN in t for t in texts) >= 3  # the title, the source line, the legend entry


def test_briefing_pack_shows_hostile_geo_names_as_text(con, monkeypatch):
    # Every geo named by the hostile label, as if the upstream payload carried it for each code.
    def hostile(lang, upstream):
        return dict.fromkeys(geo.display_names(lang, upstream), HOSTILE)

    monkeypatch.setattr(pack_content, "display_names", hostile)  # where the pack names geos
    doc, n_charts = briefing.build_html(con, geo="BE", lang="en")
    assert n_charts > 0
    # The pack's own <script> elements (plotly, the specs) are expected; a hostile one is not.
    assert "<script>alert(1)" not in doc and "<b>x</b>" not in doc
    assert "&lt;script&gt;alert(1)" in doc  # shown, as text (in the HTML and in the charts' specs)
    assert "&amp;lt;script" not in doc  # not escaped twice (it would read "&lt;script" on the page)
