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


class RecipeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that reads `1e-4` as a float (YAML 1.2), unlike PyYAML's 1.1 resolver.

    It parses with LibYAML where PyYAML has it (ten times faster; the resolver and
    constructors stay PyYAML's own).
    """


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


# Bounds that no real recipe comes near (the largest ships at a few kB, nested 4 deep); they
# keep a malformed or hostile document from exhausting the stack, memory or time.
MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 10_000
# The tags a recipe may carry: YAML's own core types and `!drop`; anything else is an error.
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str", "int", "float", "bool", "null")
)


def _loc(mark: Any, file: str) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


def _text_loc(text: str, position: int, file: str) -> Loc:
    """The line and column of character `position` of `text`."""
    before = text[:position]
    return Loc(file, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)


def _problem(message: str, loc: Loc | None, hint: str = "", path: str = "") -> RecipeError:
    return RecipeError([RecipeProblem(path, message, hint=hint, loc=loc)])


def _yaml_error(exc: yaml.YAMLError, text: str, file: str) -> RecipeError:
    """A located `RecipeError` for any PyYAML error (reader, scanner, parser, constructor)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        loc = _loc(mark, file)
    elif isinstance(getattr(exc, "position", None), int):
        loc = _text_loc(text, exc.position, file)  # type: ignore[attr-defined]
    else:
        loc = Loc(file, 1, 1)
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"control character U+{char:04X} is not allowed in a recipe"
        hint = "remove it; recipes are plain UTF-8 text"
    else:
        problem = getattr(exc, "problem", None) or str(exc)
        message, hint = f"not valid YAML: {problem}", ""
    return _problem(message, loc, hint)


def _check_structure(text: str, file: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before composing (PyYAML composes recursively)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=RecipeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _problem(
                        f"nested more than {MAX_DEPTH} levels deep",
                        _loc(event.start_mark, file) if event.start_mark else None,
                        "a recipe is a few levels of sections; flatten the document",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, file) from None


class _Converter:
    """Composed YAML nodes to `Node`s, bounding alias expansion and rejecting unknown tags."""

    def __init__(self, loader: RecipeLoader, file: str, problems: list[RecipeProblem]) -> None:
        self.loader, self.file, self.problems = loader, file, problems
        self.count = 0
        self.active: set[int] = set()  # ids of the collections being converted (cycle check)

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, "", self.file) from None

    def convert(self, node: yaml.Node, path: str) -> Node:
        loc = _loc(node.start_mark, self.file)
        self.count += 1
        if self.count > MAX_NODES:
            raise _problem(
                f"the document expands to more than {MAX_NODES} values (aliases included)",
                loc,
                "an alias repeated inside aliases grows exponentially; write the values out",
                path,
            )
        if node.tag == DROP_TAG:
            return Node(None, loc, drop=True)
        if isinstance(node, yaml.ScalarNode):
            return Node(self.scalar(node), loc)
        if node.tag not in CORE_TAGS:
            raise _problem(
                f"unknown tag '{node.tag}'", loc, "recipes allow only `!drop` as a tag", path
            )
        if id(node) in self.active:
            raise _problem(
                "an alias refers to a mapping or list that contains it (a recursive alias)",
                loc,
                "a recipe must be a tree; copy the values instead",
                path,
            )
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return Node(self.mapping(node, path), loc)
            return Node(
                [self.convert(v, f"{path}.{i}") for i, v in enumerate(node.value)], loc
            )
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(key_node.start_mark, self.file)
            key: Any = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            sub = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                shown = key if key is not None else "a mapping or list"
                self.problems.append(
                    RecipeProblem(sub, f"keys must be strings, got {shown!r}", loc=key_loc)
                )
                key = str(key) if key is not None else f"<key at line {key_loc.line}>"
            if key in out:
                first = out[key].key_loc
                self.problems.append(
                    RecipeProblem(
                        sub,
                        f"duplicate key '{key}' (first set on line {first.line if first else '?'})"
                        "; YAML would silently keep the last",
                        hint="remove one of the two",
                        loc=key_loc,
                    )
                )
            child = self.convert(value_node, sub)
            child.key_loc = key_loc
            out[key] = child
        return out


def parse_text(text: str, file: str, problems: list[RecipeProblem]) -> Node:
    """Parse one YAML document into a Node tree, collecting duplicate keys in `problems`.

    Every failure (syntax, control characters, unknown tags, recursive aliases, nesting or
    alias expansion past the bounds above) is a `RecipeError` located in `file`.
    """
    if len(text) > MAX_BYTES:
        raise _problem(
            f"{file}: {len(text)} characters, over the {MAX_BYTES} a recipe may have", None
        )
    _check_structure(text, file)
    loader = RecipeLoader(text)
    try:
        composed = loader.get_single_node()
        if composed is None:
            return Node({}, Loc(file, 1, 1))
        return _Converter(loader, file, problems).convert(composed, "")
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except RecursionError:  # a bound above should come first; never a traceback
        raise _problem(
            f"nested too deeply to read (over {MAX_DEPTH} levels)", Loc(file, 1, 1)
        ) from None
    finally:
        loader.dispose()


def read_recipe_text(path: Path, file: str, where: Loc | None = None) -> str:
    """The text of a recipe file: size-bounded UTF-8, every failure a located `RecipeError`."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _problem(f"cannot read {file}: {exc.strerror or exc}", where) from None
    if len(data) > MAX_BYTES:
        raise _problem(f"{file}: larger than the {MAX_BYTES} bytes a recipe may have", where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        loc = _text_loc(data[: exc.start].decode("utf-8", "replace"), exc.start, file)
        raise _problem(
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8",
            Loc(file, loc.line, loc.col),
            "save the recipe as UTF-8",
        ) from None


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


def _read_chain(
    path: Path, chain: list[Path], problems: list[RecipeProblem], where: Loc | None = None
) -> Node:
    """Read `path` and its `extends` parents; `where` locates the `extends` that named it."""
    try:
        resolved = path.resolve()
        is_file = resolved.is_file()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, a loop of links
        shown = str(path) if len(str(path)) <= 200 else f"{str(path)[:200]}..."
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _problem(
            f"cannot use {shown!r} as a recipe path: {reason}",
            where,
            "check the path (`extends` is relative to the file that contains it)",
            "extends" if chain else "",
        ) from None
    if resolved in chain:
        cycle = " -> ".join(_display(p) for p in [*chain, resolved])
        raise _problem(
            f"`extends` forms a cycle: {cycle}",
            where or Loc(_display(chain[-1]), 1, 1),
            path="extends",
        )
    if not is_file:
        raise _problem(
            f"recipe file not found: {resolved}",
            where or (Loc(_display(chain[-1]), 1, 1) if chain else None),
            "check the path (`extends` is relative to the file that contains it)",
            "extends" if chain else "",
        )
    chain.append(resolved)
    display = _display(resolved)
    node = parse_text(read_recipe_text(resolved, display, where), display, problems)
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
    parent = _read_chain(resolved.parent / parent_ref.value, chain, problems, parent_ref.loc)
    return merge(parent, node)


def _parse_override_path(key: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in key.split(".")]


def apply_override(
    root: Node, text: str, index: int, problems: list[RecipeProblem], loc: Loc | None = None
) -> None:
    """Apply one `key.sub=value` override; the value is parsed by the recipe's YAML rules.

    It is located as command-line argument `index`, or at `loc` (an override written in a
    file, such as a study's).
    """
    loc = loc or Loc(f"command line argument {index}", 0, 0, override=text)
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
    where: Loc | None = None,
) -> LoadedRecipe:
    """Read a recipe file with its `extends` chain and apply overrides (not yet validated).

    Duplicate keys and override problems are collected in `.problems`, not raised, so that
    validation can report them together with everything else. `positions` are the overrides'
    indices on the command line (1, 2, ... by default), used in messages. `where` locates
    the reference to the file (e.g. a study's line), for a file that cannot be read.
    """
    problems: list[RecipeProblem] = []
    chain: list[Path] = []
    root = _read_chain(Path(path), chain, problems, where)
    numbers = positions or list(range(1, len(overrides) + 1))
    for number, text in zip(numbers, overrides, strict=True):
        apply_override(root, text, number, problems)
    return LoadedRecipe(root, Path(path), chain, list(overrides), problems)
