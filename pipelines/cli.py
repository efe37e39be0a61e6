"""Command line `aiplan`: import, build, snapshot (and later fetch, check, scorecard, export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines import raw_cache, snapshot, warehouse
from pipelines.readers import ReaderError
from pipelines.settings import get_settings

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
AI Plan Monitor: Belgium's National convergence plan for AI, measured with official statistics.

Typical use on a fresh clone (no network needed):
  aiplan build --from-snapshot      build the warehouse from the bundled data/snapshot/
Rebuilding the bundled snapshot from upstream files:
  aiplan import ../shared/data/raw  copy and validate upstream files into data/raw/
  aiplan build --from-raw data/raw  read them into a new warehouse (swapped in atomically)
  aiplan snapshot                   write data/snapshot/ from the warehouse

Exit codes: 0 success, 1 partial failure (some files failed, the rest done, nothing lost),
2 bad usage or bad input that stopped the command.
"""

console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


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

    imp = sub.add_parser("import", help="copy local upstream files (any supported format) into the raw cache")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders of upstream files")
    imp.set_defaults(func=cmd_import)

    build = sub.add_parser("build", help="build the warehouse (atomically: a failed build changes nothing)")
    src = build.add_mutually_exclusive_group()
    src.add_argument("--from-snapshot", action="store_true", help="from data/snapshot/ (the default)")
    src.add_argument(
        "--from-raw", type=Path, metavar="DIR", help="from a raw cache or any folder of upstream files"
    )
    build.set_defaults(func=cmd_build)

    snap = sub.add_parser(
        "snapshot", help="write data/snapshot/ (the committed embedded default) from the warehouse"
    )
    snap.set_defaults(func=cmd_snapshot)
    return p


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
    try:
        if args.from_raw:
            report = warehouse.build_from_raw(args.from_raw, s.warehouse)
        else:
            report = warehouse.build_from_snapshot(s.snapshot_dir, s.warehouse)
    except (warehouse.BuildError, ReaderError) as exc:
        err.print(f"[red]build failed, the current warehouse is unchanged:[/red] {exc}")
        return EXIT_USAGE
    for line in report.superseded:
        console.print(f"[yellow]superseded[/yellow] {line}")
    console.print(
        f"built {report.warehouse} from {report.built_from}: {report.datasets} datasets, "
        f"{report.observations:,} observations in {report.seconds:.2f} s"
    )
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    s = get_settings()
    try:
        manifest = snapshot.write_snapshot(s.warehouse, s.snapshot_dir)
    except FileNotFoundError as exc:
        err.print(f"[red]{exc}")
        return EXIT_USAGE
    total = sum(d["n_obs"] for d in manifest["datasets"])
    console.print(f"wrote {s.snapshot_dir}: {len(manifest['datasets'])} datasets, {total:,} observations")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
