"""Shared contract of the format readers: one upstream file → ReadResult (tidy observations, labels)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# The tidy observation shape every reader returns; the warehouse DDL mirrors it.
OBS_COLUMNS = [
    "source",
    "dataset",
    "series_key",
    "geo",
    "period",
    "value",
    "obs_flag",
    "conf_flag",
    "upstream_updated",
    "edition",  # the DESI edition (desi_2026) a value was published in; None for every other source
]
# Code → label pairs seen in a payload, kept so the app can show names without a live lookup.
LABEL_COLUMNS = ["source", "dataset", "dimension", "code", "lang", "label"]

_FLAG_RE = re.compile(r"^[A-Za-z|]*$")


class ReaderError(ValueError):
    """A file that cannot be read as the expected format; the message names the file."""

    def __init__(self, path: str | Path, problem: str, expected: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.expected = expected
        msg = f"{self.path}: {problem}"
        if expected:
            msg += f" (expected {expected})"
        super().__init__(msg)


@dataclass
class ReadResult:
    """What a reader got out of one file."""

    format: str  # e.g. "sdmx-csv-2.0", "eurostat-tsv", "jsonstat-2.0", "desi-xlsx", "statbel-zip"
    source: str  # "eurostat" | "desi" | "statbel"
    dataset: str  # lower-case upstream code, e.g. "isoc_eb_ai"
    observations: pd.DataFrame  # columns OBS_COLUMNS
    labels: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LABEL_COLUMNS))
    upstream_updated: str | None = None  # ISO 8601, when the payload says when upstream last updated it
    title: str | None = None  # upstream dataset title, when the payload carries one
    notes: list[str] = field(
        default_factory=list
    )  # reader decisions worth showing (e.g. superseded editions)
    reference: pd.DataFrame | None = None  # reference tables (e.g. Statbel geography) carry no observations
    # A subset of one database's records (DESI facts): several such payloads of a dataset are unioned, where
    # vintages of a whole dataset (Eurostat files) are never spliced and the latest is kept.
    partial: bool = False


def series_key(dims: dict[str, str]) -> str:
    """Non-geo, non-time dimensions as sorted `dim=code` pairs joined by `|`."""
    return "|".join(f"{k}={dims[k]}" for k in sorted(dims))


def split_flags(obs: str | None, conf: str | None = None) -> tuple[str | None, str | None]:
    """Return (obs_flag, conf_flag) from a raw flag text and an optional CONF_STATUS.

    Accepts the post-2025 lists (`b`, `p`, `|C`) and legacy files where a lowercase `c` in the
    observation flag meant confidential.
    """
    obs = (obs or "").strip()
    conf = (conf or "").strip()
    if "|" in obs:
        obs, _, conf_part = obs.partition("|")
        conf = conf or conf_part
    letters = [ch for ch in obs if not ch.isspace()]
    if "c" in letters:
        letters.remove("c")
        conf = conf or "C"
    obs_flag = "".join(letters) or None
    return obs_flag, (conf.upper() or None)


def finalize(df: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Check a reader's output against OBS_COLUMNS and the key; return it in canonical order."""
    if "edition" not in df.columns:
        df = df.assign(edition=None)
    missing = [c for c in OBS_COLUMNS if c not in df.columns]
    if missing:
        raise ReaderError(path, f"reader produced no column(s) {missing}")
    out = df[OBS_COLUMNS].copy()
    out["value"] = pd.to_numeric(out["value"], errors="raise").astype("float64")
    out["edition"] = out["edition"].astype(object)
    for col in ("source", "dataset", "series_key", "geo", "period"):
        if out[col].isna().any():
            raise ReaderError(path, f"empty {col} in {int(out[col].isna().sum())} row(s)")
        out[col] = out[col].astype(str)
    key = ["source", "dataset", "series_key", "geo", "period"]
    dup = out.duplicated(key, keep=False)
    if dup.any():
        first = out.loc[dup, key].iloc[0].to_dict()
        raise ReaderError(path, f"{int(dup.sum())} rows share a key, e.g. {first}")
    if out.empty:
        raise ReaderError(path, "no observations found")
    return out.sort_values(key, kind="stable").reset_index(drop=True)


def dataset_from_filename(path: str | Path) -> str:
    """`estat_isoc_ci_in_h.tsv.gz` → `isoc_ci_in_h`; `sdg_13_10.legacy_bulk.tsv` → `sdg_13_10`."""
    name = Path(path).name.split(".", 1)[0].lower()
    return name.removeprefix("estat_")
