"""README's "What is where" block + the tracked tree → every folder and module named, every name real."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("aiplan", "presentation", "dashboard", "pipelines", "indicators")
FOLDER_LINE = re.compile(r"^(\.?[\w.]+/)\s")  # a line that opens a top-level folder: "pipelines/    …"
NAME = re.compile(r"(?<![\w/.])([\w][\w./-]*\.(?:py|sql|json|yaml|j2)|[\w]+/)(?![\w])")


def _block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What is where", 1)[1]
    return section.split("```", 2)[1].splitlines()


def _mentions() -> dict[str, set[str]]:
    """Top-level folder → the names its lines mention (continuation lines belong to the folder above)."""
    found: dict[str, set[str]] = {}
    folder = None
    for line in _block():
        if m := FOLDER_LINE.match(line):
            folder = m.group(1).rstrip("/")
            found[folder] = set()
            line = line[m.end() :]
        if folder is not None:
            found[folder] |= set(NAME.findall(line))
    return found


def _tracked_top_folders() -> set[str]:
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked tree is unknown")
    return {f.split("/", 1)[0] for f in files.stdout.splitlines() if "/" in f}


def test_every_tracked_folder_is_in_the_map():
    assert _tracked_top_folders() - set(_mentions()) == set()


def _ignored() -> set[str]:
    """What .gitignore names as built (data/raw/, the warehouse): in the map, absent from a fresh clone."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().lstrip("/") for line in lines if line.strip() and not line.startswith("#")}


def test_every_name_in_the_map_exists():
    missing = []
    for folder, names in _mentions().items():
        for name in names:
            candidates = [ROOT / folder / name, *(ROOT / folder).rglob(name.rstrip("/"))]
            if not any(c.exists() for c in candidates) and f"{folder}/{name}" not in _ignored():
                missing.append(f"{folder}/{name}")
    assert not missing, missing


@pytest.mark.parametrize("layer", LAYERS)
def test_every_module_of_the_layers_is_in_the_map(layer):
    names = _mentions().get(layer, set())
    unnamed = []
    for path in (ROOT / layer).rglob("*.py"):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(ROOT / layer)
        # a module is named by itself, or (inside a sub-package) by its folder, e.g. readers/
        if path.name not in names and str(rel) not in names and f"{rel.parts[0]}/" not in names:
            unnamed.append(str(rel))
    assert not unnamed, unnamed
