"""A warehouse being built + invariants.sql → nothing, or InvariantError naming each broken rule with rows.

Like dbt's schema tests: every named query returns the rows that break its rule, so a sound warehouse gives
no rows at all. What one table can say for itself (keys, allowed values) is a PRIMARY KEY or CHECK in
schema.sql; the rules here span tables or depend on the build's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

INVARIANTS_SQL = Path(__file__).with_name("invariants.sql")
SHOWN_ROWS = 5  # offending rows quoted in the error, per invariant
_HEADER = re.compile(r"^-- invariant: (?P<name>[a-z0-9_]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Invariant:
    name: str
    why: str  # the comment lines under the header: the rule in words
    sql: str


class InvariantError(RuntimeError):
    """One or more invariants returned rows."""

    def __init__(self, broken: list[tuple[Invariant, list[str], list[tuple]]]):
        self.names = [inv.name for inv, _, _ in broken]
        parts = []
        for inv, columns, rows in broken:
            shown = "\n".join(f"    {dict(zip(columns, r, strict=True))}" for r in rows[:SHOWN_ROWS])
            more = "\n    … and more" if len(rows) > SHOWN_ROWS else ""
            parts.append(f"invariant {inv.name} broken ({inv.why}):\n{shown}{more}")
        super().__init__("\n".join(parts))


def load_invariants(path: Path = INVARIANTS_SQL) -> list[Invariant]:
    """Each `-- invariant: <name>` header, its comment lines (the rule) and the query up to the next one."""
    text = path.read_text(encoding="utf-8")
    heads = list(_HEADER.finditer(text))
    out = []
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end() : nxt.start() if nxt else len(text)].strip()
        lines = body.splitlines()
        why = " ".join(ln.removeprefix("--").strip() for ln in lines if ln.startswith("--"))
        sql = "\n".join(ln for ln in lines if not ln.startswith("--")).strip().rstrip(";")
        out.append(Invariant(head["name"], why, sql))
    names = [i.name for i in out]
    if len(set(names)) != len(names) or not out:
        raise ValueError(f"{path}: invariant names must be present and unique ({names})")
    return out


def broken(con: duckdb.DuckDBPyConnection, invariants: list[Invariant] | None = None) -> list[tuple]:
    """(invariant, column names, offending rows) for every invariant that returns rows."""
    found = []
    for inv in invariants if invariants is not None else load_invariants():
        cur = con.execute(f"SELECT * FROM ({inv.sql}) LIMIT {SHOWN_ROWS + 1}")
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if rows:
            found.append((inv, columns, rows))
    return found


def check_invariants(con: duckdb.DuckDBPyConnection) -> None:
    """Raise InvariantError when any invariant returns rows."""
    found = broken(con)
    if found:
        raise InvariantError(found)
