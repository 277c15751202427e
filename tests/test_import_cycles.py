"""No import cycle among the project's own modules (checker/ and rules/).

Read statically, from the syntax tree of every module, so a cycle is found whether or not
any test happens to import the modules in the order that breaks. Every import of one of
our modules is a dependency, wherever it is written:

* at module level (also inside a module-level ``if``/``try``);
* inside a function: a lazy import changes *when* a module loads (start-up time), never
  which way the dependency goes; a cycle hidden in a function is still two modules that
  cannot be understood, tested or moved apart;
* under ``if TYPE_CHECKING:``: never run, but what mypy checks and what a reader needs
  to follow the types; a type needed both ways belongs below both (e.g. a Protocol).

Not counted: the parent packages Python runs before a submodule (importing ``a.b`` runs
``a/__init__.py``); they hold no logic of their own here, and counting them would make
every package a cycle with its submodules. Relative and absolute spellings are the same
edge; ``from package import name`` is an edge to ``package.name`` when that is a module.
"""

from __future__ import annotations

import ast
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from helpers import REPO


@dataclass(frozen=True)
class Edge:
    target: str
    kind: str  # module | function | type-checking
    line: int


def package_dirs() -> dict[str, Path]:
    """Installed package name -> source folder, from pyproject's package-dir."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return {name: REPO / folder
            for name, folder in config["tool"]["setuptools"]["package-dir"].items()}


def discover(dirs: dict[str, Path]) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package), for every .py file under the folders."""
    found: dict[str, tuple[Path, bool]] = {}
    for prefix, folder in dirs.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            found[".".join([prefix, *parts])] = (path, is_package)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, path: Path, is_package: bool, known: set[str]) -> list[Edge]:
    """The project modules one module imports, each with where and how."""
    package = name if is_package else name.rpartition(".")[0]
    edges: list[Edge] = []

    def target(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:
            parent = package.split(".")
            parent = parent[: len(parent) - (node.level - 1)]
            base = ".".join(parent + ([node.module] if node.module else []))
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]

    def walk(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                edges.extend(Edge(t, kind, child.lineno) for t in target(child))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                walk(child, "function" if kind == "module" else kind)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    walk(ast.Module(body=[stmt], type_ignores=[]), "type-checking")
                for stmt in child.orelse:
                    walk(ast.Module(body=[stmt], type_ignores=[]), kind)
            else:
                walk(child, kind)

    walk(ast.parse(path.read_text(encoding="utf-8"), str(path)), "module")
    return [e for e in edges if e.target in known and e.target != name]


def import_graph() -> dict[str, list[Edge]]:
    modules = discover(package_dirs())
    known = set(modules)
    return {name: imports_of(name, path, is_package, known)
            for name, (path, is_package) in modules.items()}


def find_cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Each strongly connected group of two or more modules, as one cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan; the graph is a few hundred modules deep at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph[node]:
            if edge.target not in index:
                connect(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_through(graph, set(group)) for group in groups]


def _cycle_through(graph: dict[str, list[Edge]], group: set[str]) -> list[str]:
    """A shortest way from the group's first module back to itself (breadth first)."""
    start = min(group)
    came_from: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in graph[node]:
            if edge.target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if edge.target in group and edge.target not in came_from:
                came_from[edge.target] = node
                queue.append(edge.target)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def describe(graph: dict[str, list[Edge]], cycle: list[str]) -> str:
    steps = []
    for here, there in itertools.pairwise(cycle):
        edge = next(e for e in graph[here] if e.target == there)
        steps.append(f"  {here} (line {edge.line}, {edge.kind} import) -> {there}")
    return "\n".join(steps)


def test_no_import_cycle_among_our_modules() -> None:
    graph = import_graph()
    assert len(graph) > 100  # the folders were found
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n\n".join(describe(graph, c) for c in cycles)


# --- the checker itself -------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, list[Edge]]:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    modules = discover({"pkg": tmp_path / "pkg", "pkg.rules": tmp_path / "rules"})
    return {n: imports_of(n, p, i, set(modules)) for n, (p, i) in modules.items()}


@pytest.mark.parametrize(
    ("b_imports_a", "cycle"),
    [
        ("from . import a", True),  # module level, relative
        ("import pkg.a", True),  # absolute
        ("from pkg.a import thing", True),
        ("def f():\n    from .a import thing", True),  # lazy, in a function
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import T", True),
        ("try:\n    from .a import thing\nexcept ImportError:\n    pass", True),
        ("import json", False),  # not ours
        ("from .c import thing", False),  # a third module, which imports nothing
        ("", False),
    ],
)
def test_every_kind_of_import_counts(tmp_path: Path, b_imports_a: str, cycle: bool) -> None:
    graph = _tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/a.py": "from .b import thing\n",
        "pkg/b.py": b_imports_a + "\nthing = 1\n", "pkg/c.py": "thing = 1\n",
    })
    found = find_cycles(graph)
    assert bool(found) is cycle
    if cycle:
        assert found == [["pkg.a", "pkg.b", "pkg.a"]]
        assert "pkg.a (line 1, module import) -> pkg.b" in describe(graph, found[0])


def test_a_longer_cycle_across_folders_is_named_step_by_step(tmp_path: Path) -> None:
    graph = _tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/sub/__init__.py": "",
        "pkg/a.py": "from .sub import x\n",
        "pkg/sub/x.py": "from pkg.rules.r import check\n",
        "rules/__init__.py": "", "rules/r.py": "def check():\n    from ..a import y\n",
    })
    (cycle,) = find_cycles(graph)
    assert cycle == ["pkg.a", "pkg.sub.x", "pkg.rules.r", "pkg.a"]
    assert "pkg.rules.r (line 2, function import) -> pkg.a" in describe(graph, cycle)


def test_a_package_importing_its_submodules_is_no_cycle(tmp_path: Path) -> None:
    graph = _tree(tmp_path, {"pkg/__init__.py": "from .a import thing\n",
                             "pkg/a.py": "thing = 1\n"})
    assert find_cycles(graph) == []
