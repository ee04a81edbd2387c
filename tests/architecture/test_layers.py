"""Data flows one way: no import cycle among the packages, and no environment read below the edge.

Both read the source with `ast`, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import policykeeper

ROOT = Path(policykeeper.__file__).parent
# The edge: the configuration module and the command line read the environment, nothing else.
EDGE = {"policykeeper.config", "policykeeper.cli"}


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path, ast.parse(path.read_text(), str(path))


def _unit(module: str) -> str:
    """The package a module belongs to (policykeeper.workflow.service → policykeeper.workflow);
    a top-level module (policykeeper.project) is a unit of its own."""
    return ".".join(module.split(".")[:2])


def _imports(module: str, path: Path, tree: ast.Module) -> Iterator[tuple[str, int]]:
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield target, node.lineno
            # `from policykeeper import workflow` imports the package workflow.
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def package_graph() -> dict[str, dict[str, list[str]]]:
    """unit → unit it imports → where (module:line), among policykeeper's own units."""
    units = {_unit(m) for m, _, _ in _modules()}
    graph: dict[str, dict[str, list[str]]] = {}
    for module, path, tree in _modules():
        source = _unit(module)
        for target, line in _imports(module, path, tree):
            if not target.startswith("policykeeper."):
                continue
            unit = _unit(target)
            if unit in units and unit != source:
                graph.setdefault(source, {}).setdefault(unit, []).append(f"{module}:{line}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Strongly connected groups of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_packages() -> None:
    graph = package_graph()
    report = [
        f"{a} → {b} ({', '.join(graph[a][b][:3])})"
        for group in cycles(graph)
        for a in group
        for b in graph.get(a, {})
        if b in group
    ]
    assert report == []


def test_the_checker_sees_a_cycle() -> None:
    """A cycle through a function-level import is found (the check can fail)."""
    graph = {"a": {"b": ["a.x:1"]}, "b": {"c": ["b.y:2"]}, "c": {"a": ["c.z:3"]}, "d": {"a": []}}
    assert cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from policykeeper.jobs import queue\n")
    imported = {t for t, _ in _imports("policykeeper.store.x", ROOT / "store" / "x.py", tree)}
    assert "policykeeper.jobs.queue" in imported


def _environment_reads(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name in ("environ", "getenv", "environb") for a in node.names)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_library_reads_no_environment_variable() -> None:
    readers = [
        f"{module}:{line}"
        for module, _, tree in _modules()
        if module not in EDGE
        for line in _environment_reads(tree)
    ]
    assert readers == []


def test_the_scan_sees_environment_reads() -> None:
    source = "import os\nfrom os import getenv\na = os.environ.get('X')\nb = os.getenv('Y')\n"
    assert _environment_reads(ast.parse(source)) == [2, 3, 4]
