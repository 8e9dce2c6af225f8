"""The import graph of `inrvid/`: layers as folders, no cycle, no edge to a plug-in.

The graph is read from the source with `ast`, so it counts what runs, not what happened to be
imported first: an import inside a function is an edge like one at the top of a module,
`importlib.import_module("inrvid.x")` with a literal name is one too, and so is an import
under `if TYPE_CHECKING:` (a type-only edge still ties the modules together: no layer may
name a type of a layer above it). Importing `inrvid.a.b` also runs the `__init__` of its
packages; those implicit edges are not counted (every module would be in a cycle with
`inrvid/__init__.py`, which re-exports the plug-in API).

The plug-ins (`plugins/inrvid_*`) are read the same way: none imports a private name (one
starting with `_`) of another.
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


def imported_names(tree: ast.Module, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every (dotted name, line) the module imports, anywhere, `if TYPE_CHECKING:` included."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
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


def test_the_graph_sees_imports_inside_functions_and_type_checking_ones():
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
    assert "inrvid.recipe.Recipe" in names  # a type-only edge ties the layers all the same


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


# The layers, bottom up: a module imports only modules of its own folder or of a lower layer.
# The command packages share a layer and never import one another.
LAYERS: dict[str, int] = {
    "inrvid.base": 0,
    "inrvid.release": 1,  # release snapshots read as data (the importer contract names them)
    "inrvid.components": 2,
    "inrvid.video": 3,
    "inrvid.recipe": 4,
    "inrvid.loading": 5,
    "inrvid.runtime": 6,
    "inrvid.train": 7,
    "inrvid.generation": 7,
    "inrvid.evaluation": 7,
    "inrvid.data": 7,
    "inrvid.scaffold": 7,
    "inrvid.interop": 7,
    "inrvid.testing": 7,
    "inrvid.study": 8,  # studies run training and score its runs: above the commands
    "inrvid.cli": 9,
    "inrvid": 9,  # the package's __init__: the plug-in API and `inrvid.load`
    "inrvid.__main__": 10,
}
# The imports between command packages, all from evaluation to generation: `inrvid eval --fake`
# reads `inrvid generate`'s manifest of the videos it wrote, and the prediction score
# (`inrvid.evaluation.prediction`) loads a model, inverts it and scores its frames as
# `inrvid predict` does.
SIDEWAYS = {
    ("inrvid.evaluation", "inrvid.generation.manifest"),
    ("inrvid.evaluation", "inrvid.generation.api"),
    ("inrvid.evaluation", "inrvid.generation.inversion"),
    ("inrvid.evaluation", "inrvid.generation.quality"),
}
# What may stand at inrvid/'s root: the package, its entry point and the command line.
ROOT_MODULES = {"inrvid", "inrvid.__main__", "inrvid.cli"}


def folder_of(module: str) -> str:
    """The layer folder (or root module) a module belongs to: its longest prefix in LAYERS."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return prefix
    raise AssertionError(f"{module} is in no layer of LAYERS")


def upward_imports(graph: dict[str, set[str]], lines: dict[tuple[str, str], int]) -> list[str]:
    """Every import of a module of a higher layer, or of a sibling command package."""
    found = []
    for a in sorted(graph):
        for b in sorted(graph[a]):
            fa, fb = folder_of(a), folder_of(b)
            if (fa, b) in SIDEWAYS:
                continue
            if fa != fb and LAYERS[fb] >= LAYERS[fa]:
                found.append(f"{a} (line {lines[(a, b)]}) imports {b}: {fb} is not below {fa}")
    return found


def test_the_layer_check_refuses_an_upward_and_a_sideways_import():
    graph = {"inrvid.base.errors": {"inrvid.recipe.load"}, "inrvid.recipe.load": set(),
             "inrvid.train.loop": {"inrvid.evaluation.runs", "inrvid.base.errors"},
             "inrvid.evaluation.runs": set()}
    lines = {("inrvid.base.errors", "inrvid.recipe.load"): 3,
             ("inrvid.train.loop", "inrvid.evaluation.runs"): 7,
             ("inrvid.train.loop", "inrvid.base.errors"): 8}
    assert upward_imports(graph, lines) == [
        "inrvid.base.errors (line 3) imports inrvid.recipe.load: inrvid.recipe is not below "
        "inrvid.base",
        "inrvid.train.loop (line 7) imports inrvid.evaluation.runs: inrvid.evaluation is not "
        "below inrvid.train",
    ]


def test_every_module_is_in_a_layer_folder_and_none_is_left_at_the_root():
    graph, _, _ = import_graph()
    loose = sorted(m for m in graph if m.count(".") < 2 and m not in ROOT_MODULES
                   and m not in LAYERS)
    assert loose == [], "modules at inrvid/'s root: move them into their layer's folder"
    for module in graph:
        folder_of(module)


def test_no_module_imports_a_layer_above_its_own():
    graph, lines, _ = import_graph()
    assert upward_imports(graph, lines) == []


COMPONENT_KINDS = {
    "inrvid.components.registry", "inrvid.components.generator", "inrvid.components.encoder",
    "inrvid.components.discriminator", "inrvid.components.loss", "inrvid.components.augment",
    "inrvid.components.sampler", "inrvid.components.dataset", "inrvid.components.metric",
}


def test_component_kinds_import_only_the_registry_each_other_and_the_foundation():
    graph, lines, _ = import_graph()
    found = [
        f"{a} (line {lines[(a, b)]}) imports {b}"
        for a in sorted(COMPONENT_KINDS)
        for b in sorted(graph[a])
        if b not in COMPONENT_KINDS and folder_of(b) != "inrvid.base"
    ]
    assert found == []


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# (importer, imported): parts of one layer that must stay apart
FORBIDDEN = [
    ("inrvid.runtime.scoring", "inrvid.runtime.checkpoint"),  # metrics never read checkpoints
    ("inrvid.runtime.scoring", "inrvid.runtime.build"),
    ("inrvid.runtime.scoring", "inrvid.recipe"),
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


# ---------------------------------------------------------------- the plug-ins
PLUGINS = CORE.parent / "plugins"


def private_imports(source: str, package: str) -> list[str]:
    """Imports in a module of plug-in `package` of a private name of another plug-in: a name,
    or a module on the way to it, that starts with `_`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            other = parts[0]
            if other.startswith(PLUGIN_PREFIX) and other != package and any(
                p.startswith("_") and not (p.startswith("__") and p.endswith("__"))
                for p in parts[1:]
            ):
                found.append(f"line {node.lineno}: {name}")
    return found


def test_the_private_name_check_sees_names_and_modules():
    source = ("from inrvid_digan.losses import _require, nonsaturating\n"
              "from inrvid_digan._impl import thing\n"
              "from inrvid_video3d.discriminator import _own\n"
              "import inrvid_digan.__init__\n")
    assert private_imports(source, "inrvid_video3d") == [
        "line 1: inrvid_digan.losses._require", "line 2: inrvid_digan._impl.thing"]


def test_no_plugin_imports_a_private_name_of_another():
    files = sorted(PLUGINS.glob("inrvid_*/**/*.py"))
    assert len(files) > 20, "the first-party plug-ins should be read"
    found = [
        f"{path.relative_to(PLUGINS)} {hit}"
        for path in files
        for hit in private_imports(path.read_text(encoding="utf-8"),
                                   path.relative_to(PLUGINS).parts[0])
    ]
    assert found == []
