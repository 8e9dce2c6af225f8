"""Recipe YAML with source locations, `extends:` chains, `!drop` and command-line overrides.

Every value is a `Node` that remembers its file, line and column, so validation errors and
`recipe.resolved.yaml` can point at the line that set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inrvid.recipe.errors import Loc, RecipeError, RecipeProblem

DROP_TAG = "!drop"


class RecipeLoader(yaml.SafeLoader):
    """A safe loader that reads `1e-4` as a float (YAML 1.2), unlike PyYAML's 1.1 resolver."""


RecipeLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:float"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


@dataclass
class Node:
    """A recipe value with the location that set it; mappings and lists hold Nodes."""

    value: Any
    loc: Loc
    key_loc: Loc | None = None
    drop: bool = False

    @property
    def is_mapping(self) -> bool:
        """Whether this node is a mapping."""
        return isinstance(self.value, dict)

    def plain(self) -> Any:
        """The value as plain Python data (dropped entries removed)."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items() if not v.drop}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value if not v.drop]
        return self.value


def child_node(node: Node, part: str | int) -> Node | None:
    """The entry `part` of a mapping or list node, or None if it has none."""
    value = node.value
    if isinstance(value, dict) and isinstance(part, str):
        return value.get(part)
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return None


@dataclass
class LoadedRecipe:
    """A recipe after `extends` and overrides: the node tree, its files and the overrides."""

    root: Node
    path: Path
    chain: list[Path]
    overrides: list[str]
    problems: list[RecipeProblem] = field(default_factory=list)

    def plain(self) -> dict[str, Any]:
        """The merged recipe as plain data."""
        data = self.root.plain()
        return data if isinstance(data, dict) else {}

    def locate(self, path: tuple[str | int, ...], key: bool = False) -> Loc | None:
        """Where the value (with `key`: the key) at `path` was set, or its nearest parent."""
        node: Node | None = self.root
        best = self.root.loc
        for part in path:
            if node is None:
                break
            child = child_node(node, part)
            if child is not None:
                node = child
            else:
                return best
            best = (node.key_loc or node.loc) if key else node.loc
        return best


def _loc(mark: yaml.Mark, file: str) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


def _convert(
    node: yaml.Node, loader: RecipeLoader, file: str, problems: list[RecipeProblem], path: str
) -> Node:
    loc = _loc(node.start_mark, file)
    if node.tag == DROP_TAG:
        return Node(None, loc, drop=True)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key_loc = _loc(key_node.start_mark, file)
            sub = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                problems.append(
                    RecipeProblem(sub, f"keys must be strings, got {key!r}", loc=key_loc)
                )
                key = str(key)
            if key in out:
                first = out[key].key_loc
                problems.append(
                    RecipeProblem(
                        sub,
                        f"duplicate key '{key}' (first set on line {first.line if first else '?'})"
                        "; YAML would silently keep the last",
                        hint="remove one of the two",
                        loc=key_loc,
                    )
                )
            child = _convert(value_node, loader, file, problems, sub)
            child.key_loc = key_loc
            out[key] = child
        return Node(out, loc)
    if isinstance(node, yaml.SequenceNode):
        return Node(
            [_convert(v, loader, file, problems, f"{path}.{i}") for i, v in enumerate(node.value)],
            loc,
        )
    return Node(loader.construct_object(node), loc)


def parse_text(text: str, file: str, problems: list[RecipeProblem]) -> Node:
    """Parse one YAML document into a Node tree, collecting duplicate keys in `problems`."""
    loader = RecipeLoader(text)
    try:
        composed = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = _loc(mark, file) if mark else Loc(file, 1, 1)
        raise RecipeError([RecipeProblem("", f"not valid YAML: {exc}", loc=loc)]) from None
    finally:
        loader.dispose()
    if composed is None:
        return Node({}, Loc(file, 1, 1))
    return _convert(composed, loader, file, problems, "")


def merge(parent: Node, child: Node) -> Node:
    """Merge `child` over `parent`: mappings key by key, lists and scalars replace.

    A mapping whose `kind` changes replaces the parent's whole (its keys belong to another
    config class); `!drop` removes the inherited entry.
    """
    if not (parent.is_mapping and child.is_mapping):
        return child
    parent_kind = parent.value.get("kind")
    child_kind = child.value.get("kind")
    if parent_kind is not None and child_kind is not None and parent_kind.value != child_kind.value:
        return child
    merged = dict(parent.value)
    for key, value in child.value.items():
        if value.drop:
            merged.pop(key, None)
        elif key in merged:
            out = merge(merged[key], value)
            out.key_loc = value.key_loc
            merged[key] = out
        else:
            merged[key] = value
    return Node(merged, child.loc, parent.key_loc or child.key_loc)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_chain(path: Path, chain: list[Path], problems: list[RecipeProblem]) -> Node:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(_display(p) for p in [*chain, resolved])
        raise RecipeError(
            [
                RecipeProblem(
                    "extends",
                    f"`extends` forms a cycle: {cycle}",
                    loc=Loc(_display(chain[-1]), 1, 1),
                )
            ]
        )
    if not resolved.is_file():
        where = Loc(_display(chain[-1]), 1, 1) if chain else None
        raise RecipeError(
            [
                RecipeProblem(
                    "extends" if chain else "",
                    f"recipe file not found: {resolved}",
                    hint="check the path (`extends` is relative to the file that contains it)",
                    loc=where,
                )
            ]
        )
    chain.append(resolved)
    node = parse_text(resolved.read_text(encoding="utf-8"), _display(resolved), problems)
    if not node.is_mapping:
        raise RecipeError(
            [RecipeProblem("", "a recipe must be a mapping of sections", loc=node.loc)]
        )
    parent_ref = node.value.pop("extends", None)
    if parent_ref is None or parent_ref.drop:
        return node
    if not isinstance(parent_ref.value, str):
        problems.append(
            RecipeProblem("extends", "expected a path to the parent recipe", loc=parent_ref.loc)
        )
        return node
    parent = _read_chain(resolved.parent / parent_ref.value, chain, problems)
    return merge(parent, node)


def _parse_override_path(key: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in key.split(".")]


def apply_override(root: Node, text: str, index: int, problems: list[RecipeProblem]) -> None:
    """Apply one `key.sub=value` override; the value is parsed by the recipe's YAML rules."""
    loc = Loc(f"command line argument {index}", 0, 0, override=text)
    if "=" not in text:
        problems.append(RecipeProblem("", f"{text}: expected `key.sub=value`", loc=loc))
        return
    key, raw = text.split("=", 1)
    parts = _parse_override_path(key.strip())
    sub_problems: list[RecipeProblem] = []
    value = parse_text(raw, loc.file, sub_problems) if raw.strip() else Node(None, loc)
    _relocate(value, loc)
    problems.extend(sub_problems)
    node = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        container = node.value
        if isinstance(container, list) and isinstance(part, int):
            if part >= len(container):
                problems.append(
                    RecipeProblem(
                        key,
                        f"index {part} is out of range (the list has {len(container)} entries)",
                        loc=loc,
                    )
                )
                return
            if last:
                container[part] = value if value.drop else merge(container[part], value)
                if value.drop:
                    del container[part]
                return
            node = container[part]
            continue
        if not isinstance(container, dict):
            problems.append(
                RecipeProblem(key, f"cannot set '{part}' inside a non-mapping", loc=loc)
            )
            return
        part = str(part)
        if last:
            if value.drop:
                container.pop(part, None)
            elif part == "kind" and "kind" in container and container["kind"].value != value.value:
                container.clear()
                value.key_loc = loc
                container["kind"] = value
            elif part in container:
                merged = merge(container[part], value)
                merged.key_loc = loc
                container[part] = merged
            else:
                value.key_loc = loc
                container[part] = value
            return
        if part not in container:
            container[part] = Node({}, loc, key_loc=loc)
        node = container[part]


def _relocate(node: Node, loc: Loc) -> None:
    node.loc = loc
    node.key_loc = loc
    if isinstance(node.value, dict):
        for child in node.value.values():
            _relocate(child, loc)
    elif isinstance(node.value, list):
        for child in node.value:
            _relocate(child, loc)


def load_tree(
    path: str | Path,
    overrides: list[str] | tuple[str, ...] = (),
    positions: list[int] | None = None,
) -> LoadedRecipe:
    """Read a recipe file with its `extends` chain and apply overrides (not yet validated).

    Duplicate keys and override problems are collected in `.problems`, not raised, so that
    validation can report them together with everything else. `positions` are the overrides'
    indices on the command line (1, 2, ... by default), used in messages.
    """
    problems: list[RecipeProblem] = []
    chain: list[Path] = []
    root = _read_chain(Path(path), chain, problems)
    numbers = positions or list(range(1, len(overrides) + 1))
    for number, text in zip(numbers, overrides, strict=True):
        apply_override(root, text, number, problems)
    return LoadedRecipe(root, Path(path), chain, list(overrides), problems)
