"""A payload folder's PROVENANCE.md (markdown tables) → where each upstream file was found.

The shared payloads come with a PROVENANCE.md whose tables name each file (first column, in backticks) and
where it was found ("Found in": a public repository, path and commit, or the publisher's URL). The import
records that beside the file's checksum, so the snapshot manifest can say where every dataset came from.
Markdown tables this simple need no parser library: a row is a line between pipes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

FILE_NAME = "PROVENANCE.md"
_TICKED = re.compile(r"`([^`]+)`")
_FOUND_HEADERS = ("found in",)


def found_in(path: Path, *, levels: int = 3) -> str | None:
    """Where `path` was found, from the nearest PROVENANCE.md in its folder or up to `levels` above it."""
    folder = path.resolve().parent
    for _ in range(levels + 1):
        doc = folder / FILE_NAME
        if doc.is_file():
            return _table(doc, doc.stat().st_mtime_ns).get(path.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


@lru_cache(maxsize=8)
def _table(doc: Path, _stamp: int) -> dict[str, str]:
    """File name → its "Found in" cell, over every table of the document that has such a column."""
    out: dict[str, str] = {}
    column, repo = None, None
    for line in doc.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = _cells(line)
        if column is None:
            column = next((i for i, c in enumerate(cells) if c.lower().startswith(_FOUND_HEADERS)), -1)
            continue
        if column < 0 or set("".join(cells)) <= set("-: ") or len(cells) <= column:
            continue
        m = _TICKED.search(cells[0])
        if not m:
            continue
        where = _plain(cells[column])
        # "same repo : path @ commit" repeats the row above's repository.
        if where.startswith("same repo") and repo:
            where = repo + where.removeprefix("same repo")
        repo = where.split(" : ", 1)[0] if " : " in where else repo
        out.setdefault(m.group(1), where)
    return out


def _cells(line: str) -> list[str]:
    """A table row's cells; a pipe inside backticks (a quoted header line) does not split."""
    cells, current, ticked = [], [], False
    for ch in line.strip().strip("|"):
        if ch == "`":
            ticked = not ticked
        if ch == "|" and not ticked:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    cells.append("".join(current).strip())
    return cells


def _plain(cell: str) -> str:
    """Markdown cell → text: backticks dropped, spacing kept."""
    return " ".join(cell.replace("`", "").split())
