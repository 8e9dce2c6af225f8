"""The import graph of the core package `inrvid/` has no cycle and no edge to a plug-in.

The graph is read from the source with `ast`, so it counts what runs, not what happened to be
imported first: an import inside a function is an edge like one at the top of a module, and
`importlib.import_module("inrvid.x")` with a literal name is one too. Only imports under
`if TYPE_CHECKING:` are left out (they never run). Importing `inrvid.a.b` also runs the
`__init__` of its packages; those implicit edges are not counted (every module would be in a
cycle with `inrvid/__init__.py`, which re-exports the plug-in API).
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

import inrvid

CORE = Path(inrvid.__file__).parent
PLUGIN_PREFIX = "inrvid_"


def module_name(path: Path) -> str:
    """`inrvid/train/loop.py` -> `inrvid.train.loop`; a package's `__init__` -> the package."""
    parts = list(path.relative_to(CORE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.Module, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every (dotted name, line) the module imports, anywhere but under `if TYPE_CHECKING:`."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            # `from a import b` imports the module a.b if there is one, else a name of a:
            # either way the longest prefix of `a.b` that is a module is what it depends on
            found.extend((f"{source}.{alias.name}", node.lineno) for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], int], list[str]]:
    """(module -> core modules it imports, (a, b) -> line of the import, plug-in imports)."""
    files = {module_name(p): p for p in sorted(CORE.rglob("*.py"))}
    graph: dict[str, set[str]] = {m: set() for m in files}
    lines: dict[tuple[str, str], int] = {}
    plugin_imports: list[str] = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = imported_names(tree, module, path.name == "__init__.py")
        for name, line in names:
            if name.split(".")[0].startswith(PLUGIN_PREFIX):
                plugin_imports.append(f"{path.relative_to(CORE.parent)}:{line} imports {name}")
            target = name
            while target and target not in files:  # the longest prefix that is a module
                target = target.rpartition(".")[0]
            if target and target != module:
                graph[module].add(target)
                lines.setdefault((module, target), line)
    return graph, lines, sorted(set(plugin_imports))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_one_cycle(graph, set(c), c[0]) for c in components]


def _one_cycle(graph: dict[str, set[str]], members: set[str], start: str) -> list[str]:
    """A shortest path start -> ... -> start inside one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"{start} is in a component but on no cycle")


def describe(cycle: list[str], lines: dict[tuple[str, str], int]) -> str:
    """`a (line 3) -> b (line 9) -> a`: where each import of the cycle stands."""
    steps = [f"{a} (line {lines[(a, b)]})" for a, b in itertools.pairwise(cycle)]
    return " -> ".join([*steps, cycle[-1]])


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking_ones():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from inrvid.base.errors import InrvidError\n"
        "if TYPE_CHECKING:\n"
        "    from inrvid.recipe import Recipe\n"
        "def f():\n"
        "    from inrvid.train import loop\n"
        "    import importlib\n"
        "    importlib.import_module('inrvid.video.hooks')\n"
    )
    names = {n for n, _ in imported_names(ast.parse(source), "inrvid.x", False)}
    assert {"inrvid.base.errors.InrvidError", "inrvid.train.loop", "inrvid.video.hooks"} <= names
    assert "inrvid.recipe" not in names and "inrvid.recipe.Recipe" not in names


def test_the_cycle_finder_names_every_module_of_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_core_package_has_no_import_cycle():
    graph, lines, _ = import_graph()
    assert len(graph) > 50, "the graph should cover every module of inrvid/"
    found = [describe(c, lines) for c in cycles(graph)]
    assert found == [], "import cycles in inrvid/:\n" + "\n".join(found)


def test_the_core_imports_no_plugin_package():
    _, _, plugin_imports = import_graph()
    assert plugin_imports == []


FOUNDATION = {
    "inrvid.base.errors", "inrvid.base.version", "inrvid.base.console", "inrvid.base.files", "inrvid.base.limits",
    "inrvid.base.tensor", "inrvid.base.time_axis", "inrvid.base.streams", "inrvid.base.progress",
}
COMPONENT_KINDS = {
    "inrvid.components.registry", "inrvid.components.generator", "inrvid.components.encoder", "inrvid.components.discriminator",
    "inrvid.components.loss", "inrvid.components.augment", "inrvid.components.sampler", "inrvid.components.dataset", "inrvid.components.metric",
}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_component_kinds_import_only_the_registry_each_other_and_the_foundation():
    graph, lines, _ = import_graph()
    found = [
        f"{a} (line {lines[(a, b)]}) imports {b}"
        for a in sorted(COMPONENT_KINDS)
        for b in sorted(graph[a])
        if b not in COMPONENT_KINDS | FOUNDATION
    ]
    assert found == []


# (importer, imported): the layers of docs/architecture.md that must stay apart
FORBIDDEN = [
    ("inrvid.train", "inrvid.evaluation"),  # in-training metrics use inrvid.runtime.scoring
    ("inrvid.evaluation", "inrvid.train"),
    ("inrvid.generation", "inrvid.train"),
    ("inrvid.generation", "inrvid.evaluation"),
    ("inrvid.runtime.scoring", "inrvid.train"),
    ("inrvid.runtime.scoring", "inrvid.evaluation"),
    ("inrvid.runtime.scoring", "inrvid.recipe"),
    ("inrvid.runtime.scoring", "inrvid.runtime.checkpoint"),
    ("inrvid.loading", "inrvid.recipe"),
    # studies run training and read its results; nothing below them knows studies
    ("inrvid.train", "inrvid.study"),
    ("inrvid.evaluation", "inrvid.study"),
    ("inrvid.generation", "inrvid.study"),
    ("inrvid.recipe", "inrvid.study"),
]


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_a_layer_does_not_import_a_layer_it_must_not_know(importer: str, imported: str):
    graph, lines, _ = import_graph()
    found = [
        f"{a} (line {lines[(a, b)]}) imports {b}"
        for a in sorted(graph)
        if _in(a, importer)
        for b in sorted(graph[a])
        if _in(b, imported)
    ]
    assert found == []


def test_only_the_entry_point_imports_the_command_line():
    graph, lines, _ = import_graph()
    found = [
        f"{a} (line {lines[(a, b)]})"
        for a in sorted(graph)
        for b in graph[a]
        if b == "inrvid.cli" and a != "inrvid.__main__"
    ]
    assert found == []
