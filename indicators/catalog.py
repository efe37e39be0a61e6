"""indicators/*.yaml → validated pydantic objects (objectives now; indicators with the catalogue)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from indicators.model import Objective

HERE = Path(__file__).resolve().parent
OBJECTIVES_FILE = HERE / "objectives.yaml"


class CatalogError(ValueError):
    """A catalogue file that does not validate; the message names the file and the key."""


def load_objectives(path: Path = OBJECTIVES_FILE) -> tuple[Objective, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: invalid YAML ({exc})") from exc
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: expected a list of objectives")
    objectives = []
    for i, item in enumerate(raw):
        try:
            objectives.append(Objective.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise CatalogError(f"{path}: objective #{i + 1}, key '{key}': {first['msg']}") from exc
    numbers = [o.number for o in objectives]
    if sorted(numbers) != list(range(1, 10)):
        raise CatalogError(f"{path}: objectives must be numbered 1 to 9 once each, got {numbers}")
    return tuple(sorted(objectives, key=lambda o: o.number))


@cache
def objectives() -> tuple[Objective, ...]:
    return load_objectives()
