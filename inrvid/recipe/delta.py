"""What one recipe changes in another, and the same changes replayed on a third recipe.

An ablation recipe `extends` its reference and changes one thing. `difference` lists those
changes as operations on dotted paths of the merged recipes; `apply_changes` replays them on
any other recipe's tree. Each key is compared on its own, the `kind` of a section too, so a
section whose kind changes keeps the base's other values: an ablation written for UCF-101 at
128x128 applies to a 32x32 moving_shapes recipe without taking the UCF sizes along.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, Literal

from inrvid.recipe.errors import Loc, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, Node, child_node

# Recipe keys that name a run rather than change it; never part of a difference.
IDENTITY_KEYS = ("name", "description")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Change:
    """One difference at `path`: a value changed, a key added, or a key removed."""

    path: Path
    action: Literal["change", "add", "remove"]
    old: Any = None
    new: Any = None

    @property
    def dotted(self) -> str:
        """The path as `a.b.0.c`."""
        return ".".join(str(p) for p in self.path)

    def describe(self) -> str:
        """`dotted.key: old → new`, `...: added value` or `...: removed`."""
        if self.action == "add":
            return f"{self.dotted}: added {_short(self.new)}"
        if self.action == "remove":
            return f"{self.dotted}: removed"
        return f"{self.dotted}: {_short(self.old)} → {_short(self.new)}"


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def difference(parent: Any, child: Any, path: Path = ()) -> list[Change]:
    """The changes from `parent` to `child` (plain data), whole added or removed subtrees once.

    Mappings are compared key by key (the child's keys first, in order), lists of equal length
    entry by entry; anything else that differs is one change. `name` and `description` at the
    top are left out.
    """
    if isinstance(parent, dict) and isinstance(child, dict):
        changes: list[Change] = []
        for key in [*child, *(k for k in parent if k not in child)]:
            if not path and key in IDENTITY_KEYS:
                continue
            here = (*path, key)
            if key not in parent:
                changes.append(Change(here, "add", new=child[key]))
            elif key not in child:
                changes.append(Change(here, "remove", old=parent[key]))
            else:
                changes.extend(difference(parent[key], child[key], here))
        return changes
    if isinstance(parent, list) and isinstance(child, list) and len(parent) == len(child):
        return [
            change
            for i, (p, q) in enumerate(zip(parent, child, strict=True))
            for change in difference(p, q, (*path, i))
        ]
    if parent != child:
        return [Change(path, "change", old=parent, new=child)]
    return []


def node_at(root: Node, path: Path) -> Node | None:
    """The node at `path` in a tree, or None."""
    node: Node | None = root
    for part in path:
        node = child_node(node, part) if node is not None else None
    return node


def apply_changes(
    root: Node, changes: list[Change], source: LoadedRecipe, where: Loc
) -> list[RecipeProblem]:
    """Replay `changes` on the tree `root`, in place; return what could not be applied.

    Values are taken, with their locations, from `source` (the recipe the changes came from),
    so a value that fails validation later is reported at the line that set it. Mappings that
    are missing on the way are created (located at `where`); a list index the tree lacks and a
    path through a non-mapping are problems.
    """
    problems: list[RecipeProblem] = []
    for change in changes:
        container = _container(root, change.path[:-1], where)
        key = change.path[-1]
        if container is None or (isinstance(container.value, list) and not (
            isinstance(key, int) and 0 <= key < len(container.value)
        )):
            problems.append(RecipeProblem(
                change.dotted,
                f"cannot apply `{change.describe()}`: the recipe has no such place",
                hint="the base recipe's layout differs here from the recipe the change came from",
                loc=source.locate(change.path) or where,
            ))
            continue
        if change.action == "remove":
            if isinstance(container.value, dict):
                container.value.pop(key, None)
            else:
                assert isinstance(key, int)
                del container.value[key]
            continue
        new = node_at(source.root, change.path)
        value = copy.deepcopy(new) if new is not None else Node(change.new, where)
        if isinstance(container.value, dict):
            container.value[str(key)] = value
        else:
            assert isinstance(key, int)
            container.value[key] = value
    return problems


def _container(root: Node, path: Path, where: Loc) -> Node | None:
    """The mapping or list at `path`, creating missing mappings; None through a scalar."""
    node = root
    for part in path:
        if isinstance(node.value, dict) and isinstance(part, str):
            if part not in node.value:
                node.value[part] = Node({}, where, key_loc=where)
            node = node.value[part]
        elif isinstance(node.value, list) and isinstance(part, int) and (
            0 <= part < len(node.value)
        ):
            node = node.value[part]
        else:
            return None
    return node if isinstance(node.value, dict | list) else None
