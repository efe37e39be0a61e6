"""Snapshot warehouse → time of the briefing pack (one browser) vs the same charts exported one call each.

Three timings, interleaved so that the machine's load hits them alike: the pack as the app and CLI make it
(briefing_pdf: the browser starts and loads plotly.js while the figures are built), the pack made in
sequence (build the self-contained HTML, then print it: the way before issue 13, as a baseline in the same
run), and the pack's headline charts exported one kaleido call each. Prints medians of 3 and ratios; never
fails on timing. Needs Debian's chromium. Run: `.venv/bin/python bench/export.py` (about 2 minutes).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines import reports  # noqa: E402
from pipelines.warehouse import build_from_snapshot, connect_read_only  # noqa: E402
from presentation import briefing, exports  # noqa: E402

RUNS = 3


def median_times(fns: dict[str, object]) -> dict[str, tuple[float, object]]:
    """Each function RUNS times, round robin; its median seconds and its last output."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    outs: dict[str, object] = {}
    for _ in range(RUNS):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            outs[name] = fn()
            times[name].append(time.perf_counter() - t0)
    return {k: (statistics.median(v), outs[k]) for k, v in times.items()}


def pages_and_text(pdf: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join((page.extract_text() or "") for page in reader.pages)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warehouse.duckdb"
        build_from_snapshot(ROOT / "data" / "snapshot", path)
        con = connect_read_only(path)
        doc, n_charts = briefing.build_html(con, geo="BE", lang="en")
        # The same charts as the pack draws: each objective's first indicator with data.
        card = reports.scorecard(con, "BE", "en")
        ids = [next(i.id for i in o.indicators if i.data == "available") for o in card.objectives
               if any(i.data == "available" for i in o.indicators)]  # fmt: skip
        figs = [exports.chart_figure(exports.indicator_context(con, i, "BE", "en"), "BE", "en") for i in ids]
        load = os.getloadavg()
        timed = median_times({
            "pack": lambda: briefing.briefing_pdf(con, geo="BE", lang="en"),
            "sequence": lambda: briefing.render_pdf(
                briefing.build_html(con, geo="BE", lang="en")[0], lang="en"
            ),
            "one by one": lambda: [exports.image_bytes(f, "pdf") for f in figs],
        })  # fmt: skip
        con.close()
    (t_pack, pdf), (t_seq, pdf_seq), (t_one, _) = timed["pack"], timed["sequence"], timed["one by one"]
    same = pages_and_text(pdf) == pages_and_text(pdf_seq)
    print(f"Load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} CPUs); medians of {RUNS}, the three kinds interleaved")  # fmt: skip
    print(f"Briefing pack (BE, en), briefing_pdf: {len(pdf):,} bytes, {n_charts} charts: {t_pack:.2f} s")
    print(f"Same pack built, then printed (plotly.js inline; the baseline): {t_seq:.2f} s "
          f"(same pages and text: {'yes' if same else 'NO'})")  # fmt: skip
    print(f"Same {len(figs)} charts exported one by one (one kaleido call each): {t_one:.2f} s")
    print(f"Ratio one-by-one / pack: {t_one / t_pack:.1f}x; one-by-one / sequence: {t_one / t_seq:.1f}x; "
          f"sequence / pack: {t_seq / t_pack:.2f}x")  # fmt: skip
    print("(the pack also lays out and prints all its pages, and draws all its charts, not only these)")


if __name__ == "__main__":
    main()
