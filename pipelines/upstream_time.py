"""A publisher's stated update time (ISO 8601 text) → the instant it names, in Python and in warehouse SQL.

Publishers state their last update as a date ("2026-02-27"), a date and time with an offset
("2026-02-27T11:00:00+0100", "+01:00", "Z"), or a date and time without one (the Eurostat data browser's
"Last updated"). Text compares wrongly across offsets ("2026-03-01T00:30:00+0100" is earlier than
"2026-02-28T23:45:00+0000"), so the warehouse keeps the text as stated (`upstream_stated`, for display) and
the instant (`upstream_updated`, TIMESTAMPTZ) for every comparison, ordering and max.

A date, or a time without an offset, is read as Brussels/Luxembourg wall-clock time (Europe/Brussels): every
publisher here (Eurostat in Luxembourg, the Commission and Statbel in Brussels) keeps Central European Time,
and Eurostat's own offsets show it (23:00+01:00 in winter, 23:00+02:00 in summer). A date is the start of
its day there. The rule exists twice, as `instant` (Python, for payloads before they reach a warehouse) and
as the SQL macro `upstream_instant` (for rows already in one); tests/unit/test_upstream_time.py holds them
equal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PUBLISHERS_ZONE = "Europe/Brussels"
_ZONE = ZoneInfo(PUBLISHERS_ZONE)

# A time of day followed by an offset ("Z", "+01", "+0100", "+01:00"); a bare date's "-27" is not one.
_WITH_OFFSET = r"[T ]\d\d:\d\d.*(Z|[+-]\d\d(:?\d\d)?)$"
# TEMP: the build connection's own; the file keeps no macro, so a reader needs no extension to open it.
# ICU's timezone(zone, timestamp) reads a naive timestamp as that zone's wall-clock time.
SQL_MACRO = f"""
CREATE OR REPLACE TEMP MACRO upstream_instant(stated) AS
    CASE WHEN stated IS NULL OR trim(stated) = '' THEN NULL
         WHEN regexp_matches(stated, '{_WITH_OFFSET}') THEN CAST(stated AS TIMESTAMPTZ)
         ELSE timezone('{PUBLISHERS_ZONE}', CAST(stated AS TIMESTAMP)) END
"""


def instant(stated: str | None) -> datetime | None:
    """'2026-02-27T11:00:00+0100' → 2026-02-27 10:00 UTC; a date or a time without offset in Brussels time."""
    if stated is None or not stated.strip():
        return None
    moment = datetime.fromisoformat(stated.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_ZONE)
    return moment.astimezone(UTC)
