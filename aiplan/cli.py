"""Command line `aiplan`: fetch, refresh, import, build, snapshot, check, scorecard, series."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from indicators.actions import load_actions, load_events
from indicators.catalog import CatalogError, load_indicators, load_objectives
from indicators.meetings import load_meetings
from indicators.vocabulary import EU27, LANGS
from pipelines import raw_cache, reports, snapshot, warehouse
from pipelines.catalogue_tables import check_against_data, with_target_values
from pipelines.contracts import scorecard_schema
from pipelines.readers import ReaderError
from pipelines.settings import get_settings
from presentation import terminal

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2
SCHEMA_FILE = "pipelines/scorecard.schema.json"


def schema_text() -> str:
    """The published JSON Schema of `aiplan scorecard --json`, as committed in SCHEMA_FILE."""
    return json.dumps(scorecard_schema(), indent=2, ensure_ascii=False) + "\n"


DESCRIPTION = """\
AI Plan Monitor: Belgium's National convergence plan for AI, measured with official statistics.

Typical use on a fresh clone (no network needed):
  aiplan build --from-snapshot      build the warehouse from the bundled data/snapshot/
On a machine with internet:
  aiplan refresh                    fetch what changed upstream, then rebuild (nothing lost on failure)
Rebuilding the bundled snapshot from upstream files:
  aiplan import ../shared/data/raw  copy and validate upstream files into data/raw/
  aiplan build --from-raw data/raw  read them into a new warehouse (swapped in atomically)
  aiplan snapshot                   write data/snapshot/ from the warehouse
Reading it:
  aiplan check                      validate the catalogue (and, with a warehouse, that each series exists)
  aiplan scorecard --geo BE         the nine objectives, their indicators and statuses (--json for machines)
  aiplan series ai_enterprises --geo BE,EU27_2020 --csv
  aiplan actions --objective 1      the plan's action lines of objective 1 (--json for machines)
  aiplan changes --since 2026-03-01 new, revised and reassessed figures since a date (--json)

Exit codes: 0 success, 1 partial failure (some files failed, the rest done, nothing lost),
2 bad usage or bad input that stopped the command.
"""

console = Console(width=None if sys.stdout.isatty() else 160, soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aiplan", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    for name, func, text in (
        ("fetch", cmd_fetch, "download what the catalogue needs from the live APIs into the raw cache"),
        (
            "refresh",
            cmd_refresh,
            "fetch, then rebuild the warehouse with what changed (the app never sees it half-done)",
        ),
    ):
        f = sub.add_parser(name, help=text)
        f.add_argument("datasets", nargs="*", metavar="DATASET", help="only these datasets (default: all)")
        f.add_argument("--force", action="store_true", help="fetch even when upstream says nothing changed")
        f.add_argument(
            "--bulk", action="store_true", help="whole Eurostat datasets as TSV instead of filtered slices"
        )
        f.add_argument(
            "--statbel", action="store_true", help="also fetch the Statbel files in AIPLAN_STATBEL_FILES"
        )
        f.set_defaults(func=func)

    imp = sub.add_parser("import", help="copy local upstream files (any supported format) into the raw cache")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders of upstream files")
    imp.set_defaults(func=cmd_import)

    build = sub.add_parser("build", help="build the warehouse (atomically: a failed build changes nothing)")
    src = build.add_mutually_exclusive_group()
    src.add_argument("--from-snapshot", action="store_true", help="from data/snapshot/ (the default)")
    src.add_argument(
        "--from-raw", type=Path, metavar="DIR", help="from a raw cache or any folder of upstream files"
    )
    build.add_argument(
        "--if-needed",
        action="store_true",
        help="from the snapshot only when there is no warehouse or it was built from another snapshot "
        "(what `make run` and the app do; refreshed data is never replaced)",
    )
    build.add_argument(
        "--discard-refreshed",
        action="store_true",
        help="allow a snapshot build to replace a warehouse that a refresh or an import built "
        "(its newer data and its history of revisions are lost)",
    )
    build.set_defaults(func=cmd_build)

    snap = sub.add_parser(
        "snapshot", help="write data/snapshot/ (the committed embedded default) from the warehouse"
    )
    snap.set_defaults(func=cmd_snapshot)

    check = sub.add_parser(
        "check", help="validate the catalogue; with a warehouse, check every series exists"
    )
    check.set_defaults(func=cmd_check)

    act = sub.add_parser(
        "actions", help="the plan's action lines: status, date and evidence (indicators/actions.yaml)"
    )
    act.add_argument("--objective", metavar="N", help="only objective N (1-9), or G for governance")
    act.add_argument("--lang", default="en", choices=LANGS)
    act.add_argument("--json", action="store_true", help="every field of every line, as a JSON list")
    act.set_defaults(func=cmd_actions)

    card = sub.add_parser(
        "scorecard", help="the nine objectives with their indicators, values, targets, statuses"
    )
    card.add_argument("--geo", default="BE", help="an EU member state code (default BE)")
    card.add_argument("--lang", default="en", choices=LANGS)
    card.add_argument("--json", action="store_true", help="the documented JSON interface (see README)")
    card.add_argument(
        "--schema", action="store_true", help=f"the JSON Schema of --json (committed as {SCHEMA_FILE})"
    )
    card.set_defaults(func=cmd_scorecard)

    exp = sub.add_parser(
        "export", help="publication files: a chart, its data, or the committee's briefing pack"
    )
    what = exp.add_subparsers(dest="what", metavar="WHAT", required=True)
    chart = what.add_parser(
        "chart", help="one indicator's chart as PNG, SVG or PDF (title, legend, target, source)"
    )
    chart.add_argument("indicator", metavar="INDICATOR")
    chart.add_argument("--format", default="png", choices=["png", "svg", "pdf"])
    data = what.add_parser(
        "data",
        help="one indicator's data as CSV (with a -metadata.txt beside it), CSV for Excel (';', decimal "
        "comma, BOM) or XLSX with a metadata sheet",
    )
    data.add_argument("indicator", metavar="INDICATOR")
    data.add_argument("--format", default="csv", choices=["csv", "csv-excel", "xlsx"])
    data.add_argument(
        "--wide", action="store_true", help="countries × years, flags beside (not one row a value)"
    )
    pack = what.add_parser(
        "briefing", help="the briefing pack: cover, scorecard, nine objectives; PDF, or PPTX/DOCX to edit"
    )
    pack.add_argument("--format", default="pdf", choices=["pdf", "pptx", "docx"])
    pack.add_argument(
        "--since", type=_day, help="YYYY-MM-DD: first page from then (default: the last meeting)"
    )
    pack.add_argument(
        "--from-record", type=Path, metavar="FILE", help="make a past pack again from its .record.json"
    )
    for sp in (chart, data, pack):
        sp.add_argument(
            "--geo", default="BE", help="member state (chart, briefing) or comma-separated geos (data)"
        )
        sp.add_argument("--lang", default="en", choices=LANGS)
        sp.add_argument("--out", type=Path, help="output file (default: a name in the current folder)")
    exp.set_defaults(func=cmd_export)

    chg = sub.add_parser(
        "changes", help="new observations, revised values and status changes seen since a date"
    )
    chg.add_argument("--since", required=True, type=_day, help="YYYY-MM-DD (from midnight Brussels time)")
    chg.add_argument("--geo", default="BE", help="a geo code (default BE), or ALL for every geo")
    chg.add_argument("--json", action="store_true", help="rows {indicator, geo, kind, period, old, new, …}")
    chg.set_defaults(func=cmd_changes)

    ser = sub.add_parser("series", help="one indicator's observations, in display units, with flags")
    ser.add_argument("indicator", metavar="INDICATOR", help="an indicator id, e.g. ai_enterprises")
    ser.add_argument("--geo", default="BE,EU27_2020", help="comma-separated geo codes (default BE,EU27_2020)")
    fmt = ser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    ser.set_defaults(func=cmd_series)

    cl = sub.add_parser("codelists", help="Eurostat's code lists (labels in EN, FR, DE) from its SDMX API")
    clw = cl.add_subparsers(dest="what", metavar="WHAT", required=True)
    clf = clw.add_parser("fetch", help="write the publisher labels file; then run build_labels.py")
    clf.add_argument(
        "--out", type=Path, help="labels file (default: pipelines/codelists/publisher_eurostat.csv)"
    )
    clf.add_argument(
        "--from-dir", type=Path, help="read SDMX-ML files saved from the API instead of asking it"
    )
    clf.add_argument(
        "--found-in", help="with --from-dir: where the files were found, for the evidence column"
    )
    clf.add_argument("--all-codes", action="store_true", help="every code, not only those our data use")
    cl.set_defaults(func=cmd_codelists)
    return p


def cmd_codelists(args: argparse.Namespace) -> int:
    from pipelines.codelists import fetch as codelists

    try:
        n, errors = codelists.run(
            args.out or codelists.OUT, snapshot_dir=get_settings().snapshot_dir, source_dir=args.from_dir,
            found_in=args.found_in, all_codes=args.all_codes,
        )  # fmt: skip
    except (OSError, ValueError) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        return EXIT_USAGE
    for e in errors:
        err.print(f"[yellow]{escape(e)}[/yellow]", highlight=False)
    if n:
        console.print(f"wrote {n} labels to {args.out or codelists.OUT}")
    return EXIT_OK if n and not errors else EXIT_PARTIAL


def cmd_import(args: argparse.Namespace) -> int:
    s = get_settings()
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        err.print(f"[red]no such file or folder: {', '.join(map(str, missing))}")
        return EXIT_USAGE
    outcomes = raw_cache.import_files(args.paths, s.raw_dir)
    table = Table(title=f"Imported into {s.raw_dir}")
    for col in ("file", "status", "source/dataset", "format", "rows"):
        table.add_column(col)
    for o in outcomes:
        e = o.entry
        table.add_row(
            Path(o.original).name,
            o.status if o.status != "failed" else f"[red]failed: {o.error}",
            f"{e.source}/{e.dataset}" if e else "",
            e.format if e else "",
            f"{o.n_obs:,}" if e else "",
        )
    console.print(table)
    failed = sum(o.status == "failed" for o in outcomes)
    if not outcomes:
        err.print("[red]no data files found")
        return EXIT_USAGE
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    s = get_settings()
    if not args.from_raw:
        needed, why = warehouse.snapshot_build_needed(s.warehouse, s.snapshot_dir)
        origin, _ = warehouse.built_from(s.warehouse)
        if args.if_needed and not needed:
            if warehouse.migration_needed(s.warehouse):
                return _migrate(s)
            console.print(f"warehouse kept: {why}")
            return EXIT_OK
        if origin not in (None, "snapshot") and not args.discard_refreshed:
            err.print(f"[red]{s.warehouse} was built by a {origin}: a snapshot build would replace newer "
                      "data and its history of revisions.[/red] Nothing was changed; add --discard-refreshed "
                      "to replace it anyway.", highlight=False)  # fmt: skip
            return EXIT_USAGE
    try:
        if args.from_raw:
            report = warehouse.build_from_raw(args.from_raw, s.warehouse)
        else:
            report = warehouse.build_from_snapshot(s.snapshot_dir, s.warehouse)
    except (warehouse.BuildError, ReaderError, CatalogError) as exc:
        err.print(f"[red]build failed, the current warehouse is unchanged:[/red]\n{exc}", highlight=False)
        return EXIT_USAGE
    for line in report.superseded:
        console.print(f"[yellow]superseded[/yellow] {line}")
    console.print(
        f"built {report.warehouse} from {report.built_from}: {report.datasets} datasets, "
        f"{report.observations:,} observations in {report.seconds:.2f} s"
    )
    return EXIT_OK


def _migrate(s) -> int:
    """A refreshed warehouse of an older layout → this layout, its data and history kept (no network)."""
    try:
        report = warehouse.migrate_refreshed(s.warehouse, s.raw_dir, s.snapshot_dir)
    except (warehouse.BuildError, ReaderError, CatalogError) as exc:
        err.print(f"[red]the warehouse's older layout could not be carried over; it is unchanged:[/red]\n"
                  f"{exc}", highlight=False)  # fmt: skip
        return EXIT_USAGE
    console.print(f"migrated {report.warehouse} to layout {warehouse.SCHEMA_VERSION}, its data and history "
                  f"kept: {report.datasets} datasets, {report.observations:,} observations")  # fmt: skip
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    s = get_settings()
    try:
        con = warehouse.connect_read_only(s.warehouse)
    except FileNotFoundError as exc:
        err.print(f"[red]{exc}")
        return EXIT_USAGE
    try:
        manifest = snapshot.write_snapshot(con, s.snapshot_dir, s.raw_dir)
    finally:
        con.close()
    total = sum(d["n_obs"] for d in manifest["datasets"])
    console.print(f"wrote {s.snapshot_dir}: {len(manifest['datasets'])} datasets, {total:,} observations")
    return EXIT_OK


def _fetch(args: argparse.Namespace):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pipelines import fetch

    try:
        job_list = fetch.jobs(get_settings(), datasets=args.datasets, bulk=args.bulk, statbel=args.statbel)
    except (ValueError, CatalogError) as exc:
        err.print(f"[red]{exc}", highlight=False)
        return None
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task("fetching", total=len(job_list))

        def done(outcome) -> None:
            progress.update(task, advance=1, description=f"{outcome.dataset}: {outcome.status}")

        outcomes, client = fetch.fetch(job_list, force=args.force, on_done=done)
    return outcomes, client


_COLOURS = {"failed": "red", "skipped": "red", "partial": "yellow", "updated": "green"}


def _summary(outcomes, client, changes=None) -> int:
    changes = {c.dataset: c for c in changes or []}
    table = Table(title="Fetch summary")
    numeric = ("added", "changed", "unchanged", "rows", "bytes", "seconds")
    for col in ("dataset", "status", *numeric, "reason"):
        table.add_column(col, justify="right" if col in numeric else "left", overflow="fold")
    for o in outcomes:
        c = changes.get(o.dataset)
        status = "partial" if o.partial else o.status
        colour = {"failed": "red", "skipped": "red", "partial": "yellow", "updated": "green"}.get(
            status, "grey50"
        )
        table.add_row(
            escape(f"{o.source}/{o.dataset}"), f"[{colour}]{status}[/{colour}]",
            *(str(getattr(c, k)) if c else "–" for k in ("added", "changed", "unchanged")),
            f"{o.rows:,}" if o.rows else "–", f"{o.bytes:,}", f"{o.seconds:.2f}", escape(o.reason or ""),
        )  # fmt: skip
    console.print(table)
    console.print(
        f"{client.stats.requests} requests, {client.stats.bytes:,} bytes, {client.stats.seconds:.1f} s"
    )
    failed = [o for o in outcomes if o.status in ("failed", "skipped")]
    partial = [o for o in outcomes if o.partial]
    down = sorted({o.reason for o in outcomes if o.status == "skipped" and o.reason})
    for reason in down:
        err.print(
            f"[red]{escape(reason)}[/red]; the rest of that source was not asked, its last good data is kept."
        )
    for o in partial:
        err.print(f"[yellow]{escape(o.dataset)}: {escape(o.reason or '')}", highlight=False)
    if failed:
        err.print(f"[red]{len(failed)} dataset(s) not updated; the others were, and nothing was lost.")
    return EXIT_PARTIAL if failed or partial else EXIT_OK


def cmd_fetch(args: argparse.Namespace) -> int:
    result = _fetch(args)
    if result is None:
        return EXIT_USAGE
    return _summary(*result)


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipelines import fetch

    result = _fetch(args)
    if result is None:
        return EXIT_USAGE
    outcomes, client = result
    s = get_settings()
    if s.warehouse.exists() and not any(o.status == "updated" for o in outcomes):
        # Nothing new upstream: the warehouse stays as it is (no rebuild, no swap, app caches kept).
        code = _summary(outcomes, client)
        console.print(f"nothing changed upstream; {s.warehouse} kept as it is")
        return code
    try:
        report, changes = warehouse.build_refresh(
            s.raw_dir, s.warehouse, s.snapshot_dir, fetch.read_log(s.raw_dir)
        )
    except (warehouse.BuildError, ReaderError, CatalogError) as exc:
        _summary(outcomes, client)
        err.print(f"[red]build failed, the current warehouse is unchanged:[/red]\n{exc}", highlight=False)
        return EXIT_PARTIAL
    code = _summary(outcomes, client, changes)
    console.print(
        f"warehouse {report.warehouse}: {report.datasets} datasets, {report.observations:,} observations"
    )
    return code


def cmd_check(args: argparse.Namespace) -> int:
    try:
        objectives = load_objectives()
        inds = load_indicators(objectives=objectives)
    except CatalogError as exc:
        err.print(f"[red]the catalogue has {len(exc.problems)} problem(s):[/red]", highlight=False)
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        return EXIT_USAGE
    try:
        lines = load_actions(indicator_ids={i.id for i in inds})
        events = load_events()
        meetings = load_meetings()
    except CatalogError as exc:
        err.print(f"[red]the action lines, events or meetings have {len(exc.problems)} problem(s):[/red]")
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        return EXIT_USAGE
    console.print(f"catalogue valid: {len(objectives)} objectives, {len(inds)} indicators")
    console.print(
        f"action lines valid: {len(lines)} lines, {len(events)} dated events; {len(meetings)} meeting dates"
    )
    path = get_settings().warehouse
    if not path.exists():
        console.print(f"no warehouse at {path}: series not checked (run `aiplan build --from-snapshot`)")
        return EXIT_OK
    con = warehouse.connect_read_only(path)
    try:
        inds = with_target_values(con, inds)
        resolutions = check_against_data(con, inds)
    except CatalogError as exc:
        err.print("[red]codes that select no series or several:[/red]")
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        return EXIT_USAGE
    finally:
        con.close()
    missing = [r for r in resolutions if r.status != "ok"]
    console.print(f"{len(resolutions) - len(missing)} indicators have their series in the warehouse")
    for r in missing:
        console.print(
            f"  no data yet: {r.indicator_id} ({r.message}); `aiplan refresh` fetches it", markup=False
        )
    return EXIT_OK


def cmd_actions(args: argparse.Namespace) -> int:
    from presentation import actions

    group = (args.objective or "").upper() or None
    if group is not None and group not in {*(str(n) for n in range(1, 10)), "G"}:
        err.print(f"[red]--objective {args.objective!r}: give an objective number 1 to 9, or G[/red]")
        return EXIT_USAGE
    try:
        objectives = load_objectives()
        lines = load_actions(indicator_ids={i.id for i in load_indicators(objectives=objectives)})
    except CatalogError as exc:
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        return EXIT_USAGE
    lines = tuple(actions.of_objective(lines, group))
    if args.json:
        print(json.dumps(actions.as_json(lines), indent=2, ensure_ascii=False))
        return EXIT_OK
    actions.render(console, lines, {o.number: o.title.get(args.lang) for o in objectives}, args.lang)
    return EXIT_OK


def _open_warehouse():
    path = get_settings().warehouse
    if not path.exists():
        err.print(f"[red]no warehouse at {path}: run `aiplan build --from-snapshot` first")
        return None
    return warehouse.connect_read_only(path)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def cmd_changes(args: argparse.Namespace) -> int:
    geo = None if args.geo.upper() == "ALL" else args.geo.upper()
    con = _open_warehouse()
    if con is None:
        return EXIT_USAGE
    try:
        rows = reports.changes(con, args.since, geo)
        start = reports.history_start(con)
    finally:
        con.close()
    if start is not None and args.since < start:
        # On stderr, so that the JSON on stdout stays the rows alone.
        err.print(
            f"note: this warehouse's history begins {start} (its first build); changes before are unknown"
        )
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], indent=1, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        console.print(f"No new, revised or reassessed figures for {args.geo.upper()} since {args.since}.")
        return EXIT_OK
    table = Table("indicator", "geo", "kind", "period", "old → new", "upstream updated", "seen at")
    for r in rows:
        dates = " → ".join(d for d in (r.upstream_updated.old, r.upstream_updated.new) if d)
        change = f"{'' if r.old is None else r.old} → {'' if r.new is None else r.new}"
        table.add_row(*(escape(str(v)) for v in (r.indicator, r.geo, r.kind, r.period or "", change, dates,
                                                  r.seen_at)))  # fmt: skip
    console.print(table)
    return EXIT_OK


def cmd_scorecard(args: argparse.Namespace) -> int:
    if args.schema:
        # Generated from the models, so it needs no warehouse; a test keeps the committed file equal to it.
        print(schema_text(), end="")
        return EXIT_OK
    geo = args.geo.upper()
    con = _open_warehouse()
    if con is None:
        return EXIT_USAGE
    try:
        regions = reports.regions(con)
        if geo not in EU27 and geo not in regions:
            known = ", ".join([*EU27, *regions])
            err.print(f"[red]--geo {args.geo!r} is not an EU member state or Belgian region code ({known})")
            return EXIT_USAGE
        card = reports.scorecard(con, geo, args.lang)
    finally:
        con.close()
    if args.json:
        print(card.to_json())
    else:
        terminal.render(console, card)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from presentation import data_exports, exports

    if args.what == "briefing":
        return _export_briefing(args)
    geos = [g.strip().upper() for g in args.geo.split(",") if g.strip()]
    geo = geos[0] if geos else "BE"
    if args.what == "chart" and geo not in EU27:
        err.print(f"[red]--geo {args.geo!r} is not an EU member state code")
        return EXIT_USAGE
    con = _open_warehouse()
    if con is None:
        return EXIT_USAGE
    try:
        if args.indicator not in reports.indicator_ids(con):
            err.print(f"[red]unknown indicator {args.indicator!r}", highlight=False)
            return EXIT_USAGE
        ctx = exports.indicator_context(con, args.indicator, geo, args.lang)
        unknown = sorted(set(geos) - set(ctx["values"]["geo"])) if args.what == "data" else []
        if unknown:
            err.print(f"[red]--geo: no data of {args.indicator} for {', '.join(unknown)}")
            return EXIT_USAGE
        out = f"{args.indicator}_{geo}_{args.lang}.{args.format}"
        if args.what == "chart":
            body = exports.image_bytes(exports.chart_figure(ctx, geo, args.lang), args.format)
        else:
            shown = data_exports.indicator_shown(
                con, args.indicator, args.lang, geo, geos if len(geos) > 1 else None
            )
            found = data_exports.files(
                shown, args.lang, args.format, f"{args.indicator}_{geo}_{args.lang}", args.wide
            )
    finally:
        con.close()
    if args.what == "data":
        return _write_data_files(found, args.out)
    path = args.out or Path(out)
    path.write_bytes(body)
    console.print(f"wrote {path} ({len(body):,} bytes)")
    return EXIT_OK


def _export_briefing(args: argparse.Namespace) -> int:
    """The pack, and beside it its record (build, data, dates, geo, language); or a past pack made again
    from its record, from the same build."""
    from indicators.meetings import default_since
    from presentation import briefing, pack_record

    record = None
    if args.from_record:
        try:
            record = pack_record.read(args.from_record)
        except pack_record.RecordError as exc:
            err.print(f"[red]{escape(str(exc))}", highlight=False)
            return EXIT_USAGE
        geo, lang, fmt, since, today = record.geo, record.lang, record.format, record.since, record.today
    else:
        geo, lang, fmt = args.geo.strip().upper(), args.lang, args.format
        today = datetime.now(UTC).date()
        try:
            since = args.since or default_since(load_meetings(), today)
        except CatalogError as exc:
            err.print(f"[red]{escape(str(exc))}", highlight=False)
            return EXIT_USAGE
    if geo not in EU27:
        err.print(f"[red]--geo {geo!r} is not an EU member state code")
        return EXIT_USAGE
    con = _open_warehouse()
    if con is None:
        return EXIT_USAGE
    try:
        identity = reports.build_identity(con)
        if record is not None:
            pack_record.check_same_build(record, identity, args.from_record)
        body = briefing.briefing_file(con, geo=geo, lang=lang, fmt=fmt, since=since, today=today)
    except pack_record.RecordError as exc:
        err.print(f"[red]{escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    finally:
        con.close()
    path = args.out or Path(f"briefing_{geo}_{lang}.{fmt}")
    path.write_bytes(body)
    console.print(f"wrote {path} ({len(body):,} bytes)")
    if record is None:
        record = pack_record.PackRecord(
            **identity, warehouse=str(get_settings().warehouse), today=today, since=since, geo=geo, lang=lang,
            format=fmt, pack_sha256=raw_cache.sha256_of(path),
        )  # fmt: skip
        pack_record.write(record, pack_record.record_path(path))
        console.print(f"wrote {pack_record.record_path(path)} (its build and data, to make it again)")
    return EXIT_OK


def _write_data_files(found: dict[str, bytes], out: Path | None) -> int:
    """The data file where --out says (else its own name here), its metadata sidecar beside it."""
    (name, body), *sidecars = found.items()
    path = out or Path(name)
    path.write_bytes(body)
    console.print(f"wrote {path} ({len(body):,} bytes)")
    for side_name, side_body in sidecars:
        side = path.with_name(f"{path.stem}-metadata.txt") if out else Path(side_name)
        side.write_bytes(side_body)
        console.print(f"wrote {side} ({len(side_body):,} bytes)")
    return EXIT_OK


def cmd_series(args: argparse.Namespace) -> int:
    geos = [g.strip().upper() for g in args.geo.split(",") if g.strip()]
    con = _open_warehouse()
    if con is None:
        return EXIT_USAGE
    try:
        known = reports.indicator_ids(con)
        if args.indicator not in known:
            err.print(
                f"[red]unknown indicator {args.indicator!r}; known: {', '.join(known)}", highlight=False
            )
            return EXIT_USAGE
        rows = reports.series(con, args.indicator, geos)
    finally:
        con.close()
    if args.json:
        print(json.dumps(rows, indent=1))
    elif args.csv:
        writer = csv.DictWriter(
            sys.stdout, fieldnames=["geo", "period", "value", "obs_flag", "origin"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    else:
        table = Table(title=f"{args.indicator}: {', '.join(geos)}")
        for col in ("geo", "period", "value", "flag", "from"):
            table.add_column(col, justify="right" if col == "value" else "left")
        for r in rows:
            value = "–" if r["value"] is None else f"{r['value']:.2f}"
            table.add_row(r["geo"], r["period"], value, r["obs_flag"] or "", r["origin"] or "")
        console.print(table)
    if not rows:
        err.print(
            f"no observations for {args.indicator} in {', '.join(geos)}; `aiplan refresh` may fetch them"
        )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
