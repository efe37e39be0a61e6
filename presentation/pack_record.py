"""The record a generated pack keeps of where it came from (build, data, date, since, geo, language), written
beside the pack as `<pack>.record.json`, from which `aiplan export briefing --from-record` makes it again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

RECORD_VERSION = 1


class RecordError(ValueError):
    """A record that cannot be read or used; the message names the file and the key."""


class PackRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_version: Literal[1] = RECORD_VERSION
    build_id: str
    built_at: str
    built_from: str
    location: str
    snapshot_sha256: str | None = None
    n_obs: int
    warehouse: str
    today: date  # the cover's date
    since: date  # "since the last meeting" counted from
    geo: str
    lang: str
    format: Literal["pdf", "pptx", "docx"]
    pack_sha256: str | None = None  # of the file written with it


def record_path(pack: Path) -> Path:
    return pack.with_name(pack.name + ".record.json")


def write(record: PackRecord, path: Path) -> None:
    path.write_text(json.dumps(record.model_dump(mode="json"), indent=1) + "\n", encoding="utf-8")


def read(path: Path) -> PackRecord:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"{path}: not a pack record ({exc})") from exc
    try:
        return PackRecord.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: "
            f"{'unknown key' if e['type'] == 'extra_forbidden' else e['msg']}"
            for e in exc.errors()
        )
        raise RecordError(f"{path}: {problems}") from exc


def check_same_build(record: PackRecord, identity: dict, path: Path) -> None:
    """The warehouse must be the build the record names, or the pack would not be the same."""
    if identity.get("build_id") != record.build_id:
        raise RecordError(
            f"{path}: build_id: the pack was made from build {record.build_id} ({record.built_at}, "
            f"{record.built_from}), the warehouse holds build {identity.get('build_id')} "
            f"({identity.get('built_at')}); point AIPLAN_WAREHOUSE at that build's file to make it again"
        )
