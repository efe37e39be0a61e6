"""Explorer logic, no Streamlit: series keys + chosen codes → breakdown options, series, view table."""

from __future__ import annotations

import re

import pandas as pd
from babel.numbers import format_decimal

from indicators.progress import year_of
from indicators.series import parse_key
from indicators.vocabulary import EU27
from presentation import safe
from presentation.i18n import t


def breakdown_dimensions(series: dict[str, str], keys: list[str]) -> list[str]:
    """The indicator's dimensions that take more than one code in the dataset (size class, age, sex, ...)."""
    parsed = [parse_key(k) for k in keys]
    return [d for d in series if d != "freq" and len({p.get(d) for p in parsed}) > 1]


def codes_for(dim: str, chosen: dict[str, str], keys: list[str]) -> list[str]:
    """Codes of `dim` that exist together with every other chosen code, so any choice leads to data."""
    others = {d: c for d, c in chosen.items() if d != dim}
    found = {
        p[dim] for p in map(parse_key, keys) if dim in p and all(p.get(d) == c for d, c in others.items())
    }
    return sorted(found | {chosen[dim]})


def series_key_for(codes: dict[str, str], keys: list[str]) -> str | None:
    matches = [k for k in keys if all(parse_key(k).get(d) == c for d, c in codes.items())]
    return matches[0] if len(matches) == 1 else None


def display_values(obs: pd.DataFrame, multiplier: float = 1.0) -> pd.DataFrame:
    """Observations → display units (the catalogue's multiplier) with a numeric year."""
    out = obs.copy()
    out["value"] = out["value"] * multiplier
    out["year"] = out["period"].map(_year)
    return out


def _year(period: str) -> float | None:
    # A DESI record without a reference year keeps its edition as period ('desi_2023'): its year is the
    # edition's, as the Commission dates it.
    try:
        return year_of(period)
    except ValueError:
        found = re.search(r"(?<!\d)\d{4}(?!\d)", str(period))
        return float(found.group()) if found else None


def years_with_members(values: pd.DataFrame) -> list[str]:
    members = values[values["geo"].isin(EU27) & values["value"].notna()]
    return sorted(members["period"].unique())


def title_with_breakdowns(title: str, series: dict[str, str], codes: dict[str, str], labels: dict) -> str:
    # Labels come from upstream payloads and the title is shown as markdown: escaped.
    changed = [safe.md(labels.get((d, c), c)) for d, c in codes.items() if series.get(d) != c]
    return f"{title} — {', '.join(changed)}" if changed else title


def view_table(shown: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    columns = ["geo", "period", "value", "obs_flag", "conf_flag"]
    # Which dataset a value came from, where two publishers' records of one statistic are joined.
    columns += ["origin"] if "origin" in shown and shown["origin"].nunique() > 1 else []
    table = shown[columns].copy()
    table.insert(1, "geo_name", table["geo"].map(lambda g: names.get(g, g)))
    return table.sort_values(["geo", "period"]).reset_index(drop=True)


TABLE_COLUMNS = ("geo", "geo_name", "period", "value", "obs_flag", "conf_flag", "origin")


def on_screen(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A view table for reading: headers in the reader's language, no 'None' where a flag is absent (the
    downloads keep the codes as column names, for machines)."""
    out = table.copy()
    for col in ("obs_flag", "conf_flag"):
        if col in out:
            out[col] = out[col].astype("object").where(out[col].notna(), "")
    if lang != "en" and "value" in out:
        # The reader's decimal mark (34,5): the grid prints numbers the English way whatever the language.
        out["value"] = [
            "" if pd.isna(v) else format_decimal(v, format="#,##0.###", locale=lang) for v in out["value"]
        ]
    return out.rename(columns={c: t(f"table.col.{c}", lang) for c in TABLE_COLUMNS if c in out})


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode("utf-8")


def unit_code(key: str) -> str | None:
    """The code a series' unit is labelled under: its `unit` dimension, or, in the DESI workbook whose series
    have no unit dimension, its indicator code (the reader files each indicator's unit text under it)."""
    codes = parse_key(key)
    return codes.get("unit") or codes.get("indicator")


def share_multiplier(source: str, dataset: str, unit_text: str, multipliers: list[float]) -> float:
    """100 for a share the publisher writes as a fraction of 1 (DESI 2022 workbook 0.539, Statbel's rates),
    else 1. `multipliers`: the catalogue's for indicators of this dataset, the evidence that its shares are
    fractions; `unit_text`: the series' unit in English ('% individuals', 'Rate (fraction of 1)')."""
    scaled = {m for m in multipliers if m != 1}
    is_share = "%" in unit_text or "fraction" in unit_text.lower()
    return scaled.pop() if len(scaled) == 1 and is_share else 1.0


def chartable(values: pd.DataFrame) -> pd.DataFrame:
    """Rows whose period is not a date ('desi_2023', an edition) charted at their year; tables keep them."""
    dated = values["period"].astype(str).str.match(r"^\d{4}")
    out = values.copy()
    out.loc[~dated, "period"] = out.loc[~dated, "year"].map(lambda y: f"{int(y)}")
    return out
