"""Environment variables → paths and upstream URLs the pipeline and app use (one place, read on each call)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

EUROSTAT_URL = "https://ec.europa.eu/eurostat/api/dissemination"
DESI_URL = "https://digital-decade-desi.digital-strategy.ec.europa.eu"
STATBEL_URL = "https://statbel.fgov.be"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    raw_dir: Path
    snapshot_dir: Path
    eurostat_url: str
    desi_url: str
    statbel_url: str
    read_only: bool = False  # AIPLAN_READ_ONLY=1: the app never writes (production; the pipeline builds)


def get_settings() -> Settings:
    """Read settings from the environment; tests and mirrors override them with AIPLAN_* variables."""
    data_dir = Path(os.environ.get("AIPLAN_DATA_DIR", REPO_ROOT / "data"))
    return Settings(
        data_dir=data_dir,
        warehouse=Path(os.environ.get("AIPLAN_WAREHOUSE", data_dir / "warehouse.duckdb")),
        raw_dir=Path(os.environ.get("AIPLAN_RAW_DIR", data_dir / "raw")),
        snapshot_dir=Path(os.environ.get("AIPLAN_SNAPSHOT_DIR", data_dir / "snapshot")),
        eurostat_url=os.environ.get("AIPLAN_EUROSTAT_URL", EUROSTAT_URL).rstrip("/"),
        desi_url=os.environ.get("AIPLAN_DESI_URL", DESI_URL).rstrip("/"),
        statbel_url=os.environ.get("AIPLAN_STATBEL_URL", STATBEL_URL).rstrip("/"),
        read_only=os.environ.get("AIPLAN_READ_ONLY", "").lower() in ("1", "true", "yes"),
    )
