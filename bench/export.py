"""Snapshot warehouse → time of the briefing pack (one browser) vs the same charts exported one call each.

Prints figures (medians of 3); never fails on timing. Needs Debian's chromium.
"""

from __future__ import annotations

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


def median_time(fn) -> tuple[float, object]:
    times, out = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warehouse.duckdb"
        build_from_snapshot(ROOT / "data" / "snapshot", path)
        con = connect_read_only(path)
        doc, n_charts = briefing.build_html(con, geo="BE", lang="en")
        t_pack, pdf = median_time(lambda: briefing.briefing_pdf(con, geo="BE", lang="en"))
        # The same charts as the pack draws: each objective's first indicator with data.
        card = reports.scorecard(con, "BE", "en")
        ids = [next(i.id for i in o.indicators if i.data == "available") for o in card.objectives
               if any(i.data == "available" for i in o.indicators)]  # fmt: skip
        figs = [exports.chart_figure(exports.indicator_context(con, i, "BE", "en"), "BE", "en") for i in ids]
        t_one, _ = median_time(lambda: [exports.image_bytes(f, "pdf") for f in figs])
        con.close()
    print(f"Briefing pack (BE, en): {len(pdf):,} bytes, {n_charts} charts, median of {RUNS}: {t_pack:.2f} s")
    print(f"Same {len(figs)} charts exported one by one (one kaleido call each): median {t_one:.2f} s")
    print(f"Ratio one-by-one / pack: {t_one / t_pack:.1f}x (the pack also lays out and prints all its pages)")


if __name__ == "__main__":
    main()
