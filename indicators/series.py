"""An indicator's dimension codes + a dataset's series keys → the one series it selects, or why not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from indicators.model import Indicator


def parse_key(series_key: str) -> dict[str, str]:
    """`freq=A|unit=PC` → {"freq": "A", "unit": "PC"} (the inverse of the warehouse's series_key)."""
    return dict(part.split("=", 1) for part in series_key.split("|") if part)


@dataclass(frozen=True)
class Resolution:
    indicator_id: str
    series_key: str | None
    status: str  # ok | no_dataset | no_series | several
    message: str | None = None


def resolve(ind: Indicator, series_keys: Iterable[str] | None) -> Resolution:
    """Find the single series whose codes include every code the indicator names."""
    if series_keys is None:
        return Resolution(
            ind.id, None, "no_dataset", f"dataset {ind.source}/{ind.dataset} is not in the warehouse"
        )
    keys = list(series_keys)
    if not keys:
        return Resolution(
            ind.id, None, "no_series", f"dataset {ind.source}/{ind.dataset} has no observations"
        )
    matches = [k for k in keys if _matches(parse_key(k), ind.series)]
    if len(matches) == 1:
        return Resolution(ind.id, matches[0], "ok")
    if not matches:
        return Resolution(ind.id, None, "no_series", _why_none(ind.series, keys))
    varying = sorted(_varying_dims(matches))
    return Resolution(
        ind.id, None, "several",
        f"the codes select {len(matches)} series; add a code for {', '.join(varying)} "
        f"(e.g. {matches[0]})",
    )  # fmt: skip


def _matches(dims: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(dims.get(d) == c for d, c in wanted.items())


def _varying_dims(keys: list[str]) -> set[str]:
    parsed = [parse_key(k) for k in keys]
    return {d for d in parsed[0] if len({p.get(d) for p in parsed}) > 1}


def _why_none(wanted: dict[str, str], keys: list[str]) -> str:
    """Name the first code that no series of the dataset has, which is what a catalogue author needs."""
    parsed = [parse_key(k) for k in keys]
    for dim, code in wanted.items():
        seen = {p.get(dim) for p in parsed}
        if seen == {None}:
            return f"the dataset has no dimension {dim!r} (dimensions: {', '.join(sorted(parsed[0]))})"
        if code not in seen:
            sample = ", ".join(sorted(s for s in seen if s)[:8])
            return f"no series has {dim}={code} (e.g. {sample})"
    return "no series has all these codes together"
