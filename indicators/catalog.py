"""indicators/objectives.yaml and indicators/catalog/*.yaml → validated objectives and indicators."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from indicators.model import Indicator, Objective

HERE = Path(__file__).resolve().parent
OBJECTIVES_FILE = HERE / "objectives.yaml"
CATALOG_DIR = HERE / "catalog"


def catalog_dir() -> Path:
    """The indicator folder; AIPLAN_CATALOG_DIR points elsewhere (tests, a draft catalogue)."""
    return Path(os.environ.get("AIPLAN_CATALOG_DIR", CATALOG_DIR))


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"


class CatalogError(ValueError):
    """One or more catalogue files that do not validate; each problem names the file and the key."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CatalogError(
            [Problem(str(path), where, f"invalid YAML ({getattr(exc, 'problem', exc)})")]
        ) from exc


def _validate(
    model: type[BaseModel], data: object, file: str, prefix: str = ""
) -> tuple[object, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = prefix + ".".join(str(p) for p in err["loc"])
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(Problem(file, key or "(top level)", msg))
        return None, problems


def load_objectives(path: Path = OBJECTIVES_FILE) -> tuple[Objective, ...]:
    raw = _load_yaml(path)
    if not isinstance(raw, list):
        raise CatalogError([Problem(str(path), "", "expected a list of objectives")])
    objectives, problems = [], []
    for i, item in enumerate(raw):
        obj, errs = _validate(Objective, item, str(path), prefix=f"[{i}].")
        problems += errs
        if obj is not None:
            objectives.append(obj)
    numbers = sorted(o.number for o in objectives)
    if not problems and numbers != list(range(1, 10)):
        problems.append(
            Problem(str(path), "number", f"objectives must be numbered 1 to 9 once each, got {numbers}")
        )
    if problems:
        raise CatalogError(problems)
    return tuple(sorted(objectives, key=lambda o: o.number))


def load_indicators(
    directory: Path | None = None, objectives: tuple[Objective, ...] | None = None
) -> tuple[Indicator, ...]:
    """Every indicators/catalog/*.yaml, validated and cross-checked; all problems reported at once."""
    directory = directory or catalog_dir()
    if not directory.is_dir():
        raise CatalogError([Problem(str(directory), "", "no such catalogue folder")])
    objectives = objectives if objectives is not None else load_objectives()
    known = {o.number for o in objectives}
    indicators: list[Indicator] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.y*ml")):
        try:
            raw = _load_yaml(path)
        except CatalogError as exc:
            problems += exc.problems
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(str(path), "", "expected a mapping of keys to values"))
            continue
        ind, errs = _validate(Indicator, raw, str(path))
        problems += errs
        if ind is None:
            continue
        problems += _cross_check(ind, path, known, seen)
        seen.setdefault(ind.id, str(path))
        indicators.append(ind)
    problems += _headline_problems(indicators, directory)
    if problems:
        raise CatalogError(problems)
    return tuple(sorted(indicators, key=lambda i: (i.objective, not i.headline, i.id)))


def _cross_check(ind: Indicator, path: Path, known: set[int], seen: dict[str, str]) -> list[Problem]:
    problems = []
    if ind.id != path.stem:
        problems.append(Problem(str(path), "id", f"id {ind.id!r} differs from the file name {path.stem!r}"))
    if ind.id in seen:
        problems.append(Problem(str(path), "id", f"duplicate id {ind.id!r}, also in {seen[ind.id]}"))
    if ind.objective not in known:
        problems.append(
            Problem(
                str(path),
                "objective",
                f"unknown objective {ind.objective} (objectives.yaml has {sorted(known)})",
            )
        )
    return problems


def _headline_problems(indicators: list[Indicator], directory: Path) -> list[Problem]:
    """Each objective with indicators has exactly one headline: the one its tile and sentence speak for."""
    problems = []
    for number in sorted({i.objective for i in indicators}):
        heads = [i for i in indicators if i.objective == number and i.headline]
        if len(heads) > 1:
            files = ", ".join(str(directory / f"{i.id}.yaml") for i in heads[1:])
            message = f"objective {number} has {len(heads)} headlines; also {files}"
            problems.append(Problem(str(directory / f"{heads[0].id}.yaml"), "headline", message))
        elif not heads:
            members = ", ".join(i.id for i in indicators if i.objective == number)
            message = f"objective {number} has no headline indicator (one of {members})"
            problems.append(Problem(str(directory), "headline", message))
    return problems
