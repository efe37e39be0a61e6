"""Real upstream files in ../shared/data/raw → per-dataset observations and bytes the fake upstream serves."""

from __future__ import annotations

import gzip
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipelines.readers import ReaderError, ReadResult, read_file
from pipelines.warehouse import Payload, choose_latest


@dataclass(frozen=True)
class Dataset:
    """One Eurostat dataset as the build would keep it: the freshest real payload, read by our readers."""

    code: str
    path: Path  # the real file the observations come from
    result: ReadResult
    dims: pd.DataFrame  # one column per series_key dimension, aligned with result.observations

    @property
    def observations(self) -> pd.DataFrame:
        return self.result.observations

    def bulk_tsv_gz(self) -> bytes | None:
        """The real file as Eurostat's bulk route sends it (gzip), when the freshest payload is a TSV."""
        if self.result.format != "eurostat-tsv":
            return None
        body = self.path.read_bytes()
        return body if body[:2] == b"\x1f\x8b" else gzip.compress(body, mtime=0)


@dataclass(frozen=True)
class RawFiles:
    """Everything the fake upstream can answer with, read once per process."""

    root: Path
    eurostat: dict[str, Dataset]
    desi: Path | None
    statbel: dict[str, Path]  # file name → path


@lru_cache(maxsize=2)
def load(raw_dir: Path) -> RawFiles:
    """Read every Eurostat file under `raw_dir/eurostat` and keep the freshest payload per dataset."""
    raw_dir = Path(raw_dir)
    payloads = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in sorted((raw_dir / "eurostat").iterdir()):
            if not f.is_file() or f.suffix == ".md":
                continue
            try:
                result = read_file(f)
            except ReaderError:
                continue
            payloads.append(Payload(result, str(f), "", f.stat().st_size, datetime.now(UTC)))
    kept, _ = choose_latest(payloads)  # the build's own rule: latest upstream update, else furthest data
    eurostat = {p.result.dataset: _dataset(p) for p in kept if p.result.reference is None}
    desi = next(iter(sorted((raw_dir / "desi").glob("*.xlsx"))), None)
    statbel = {f.name: f for f in sorted((raw_dir / "statbel").glob("*")) if f.is_file()}
    return RawFiles(raw_dir, eurostat, desi, statbel)


def _dataset(p: Payload) -> Dataset:
    obs = p.result.observations
    return Dataset(p.result.dataset, Path(p.location), p.result, split_series_keys(obs["series_key"]))


def split_series_keys(keys: pd.Series) -> pd.DataFrame:
    """'freq=A|unit=PC' per row → a frame with columns freq, unit (parsed once per distinct key)."""
    uniq = pd.Series(keys.unique())
    parsed = pd.DataFrame([dict(pair.split("=", 1) for pair in k.split("|") if pair) for k in uniq])
    if parsed.empty:
        parsed = pd.DataFrame(index=uniq.index)
    parsed.index = uniq
    return parsed.reindex(keys.to_numpy()).reset_index(drop=True).fillna("")
