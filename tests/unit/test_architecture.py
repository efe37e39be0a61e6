"""Source tree → its import graph (module-level and function-level imports): the layers hold, no circles.

Layers, bottom up: indicators (catalogue and method) ← pipelines (data in, warehouse, SQL) ← presentation
(figures, sentences, formats, exports, the pack; no Streamlit) ← dashboard (the Streamlit app only) and
aiplan (the command line, the composition root).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("indicators", "pipelines", "presentation", "dashboard", "aiplan")
# What each layer may import of the project's own packages.
ALLOWED = {
    "indicators": {"indicators"},
    "pipelines": {"indicators", "pipelines"},
    "presentation": {"indicators", "pipelines", "presentation"},
    "dashboard": {"indicators", "pipelines", "presentation", "dashboard"},
    "aiplan": {"indicators", "pipelines", "presentation", "aiplan"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (inside functions too), resolved to a module
    of ours where it is one (`from pipelines import fetch` → pipelines.fetch)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                names.add(sub if sub in MODULES else node.module)
    return names


GRAPH = {name: {i for i in _imports(path) if i.split(".")[0] in PACKAGES} for name, path in MODULES.items()}


def test_the_tree_has_the_five_layers():
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    assert len(MODULES) > 60  # the walk really found the code


@pytest.mark.parametrize("package", PACKAGES)
def test_each_layer_imports_only_the_layers_below(package):
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.split(".")[0] == package
        for target in targets
        if target.split(".")[0] not in ALLOWED[package]
    )
    assert not wrong, wrong


def _bare(init: Path) -> bool:
    return all(isinstance(n, ast.Expr) for n in ast.parse(init.read_text(encoding="utf-8")).body)


def test_every_import_of_ours_names_a_module_that_exists():
    """`from presentation import components` (a module of dashboard/) must not pass for an import of the
    package: a name imported from one of our packages is one of its modules."""
    # packages whose __init__ holds no names of its own (a docstring at most): all five layers
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py" and _bare(path)}
    assert set(PACKAGES) <= packages
    wrong = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in packages:
                wrong += [f"{name}: from {node.module} import {a.name}" for a in node.names
                          if f"{node.module}.{a.name}" not in MODULES]  # fmt: skip
    assert not wrong, wrong


def test_presentation_and_below_never_touch_streamlit():
    wrong = sorted(
        name
        for name, path in MODULES.items()
        if name.split(".")[0] != "dashboard" and any(i.split(".")[0] == "streamlit" for i in _imports(path))
    )
    assert not wrong, wrong


def test_the_dashboard_package_is_the_streamlit_app_only():
    """A module of dashboard/ that never touches Streamlit belongs in presentation/ (or lower)."""
    without = sorted(
        name
        for name, path in MODULES.items()
        if name.split(".")[0] == "dashboard"
        and path.name != "__init__.py"
        and not any(i.split(".")[0] == "streamlit" for i in _imports(path))
    )
    assert not without, without


def _cycle() -> list[str] | None:
    """One import circle among our modules, or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if nxt not in GRAPH or nxt == node or nxt in ("pipelines", "indicators", "presentation"):
                continue  # package __init__ files hold no imports of their own
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_no_import_circles():
    assert _cycle() is None, " → ".join(_cycle() or [])


def test_the_circle_finder_finds_a_circle(monkeypatch):
    """The check itself can fail: a made-up back edge warehouse → snapshot → warehouse is a circle."""
    graph = {k: set(v) for k, v in GRAPH.items()}
    graph["pipelines.snapshot"].add("pipelines.warehouse")
    monkeypatch.setitem(globals(), "GRAPH", graph)
    assert _cycle() is not None


def test_every_attribute_read_from_one_of_our_modules_exists():
    """`reports.geo_names` after a rename is no import error: it fails only when the line runs (here, only in
    the slow app tests). Every `module.name` read from a module of ours must name something it defines."""
    import importlib

    wrong = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for a in node.names:
                    if f"{node.module}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                module = importlib.import_module(aliases[node.value.id])
                if not hasattr(module, node.attr):
                    wrong.append(f"{name}:{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    assert not wrong, wrong
