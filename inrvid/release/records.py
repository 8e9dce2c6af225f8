"""The records of a snapshot read as data: module trees, plain configs, source fingerprints.

`pickles.load_restricted` returns persistent records and recorded objects; here they become
what an importer reads:

- `ModuleRecord`: a recorded `torch.nn.Module` (persistent or a recorded container) with its
  parameters, persistent buffers and submodules, and `state_dict()` under the release's names;
- `plain`: arguments and configs as plain data (`EasyDict` and OmegaConf nodes become dicts
  and lists, numpy scalars Python numbers), with OmegaConf's `${...}` references resolved by
  `resolve_references` (a resolver call such as `${hydra:...}` stays `Unresolved`);
- `source_modules`: every distinct module source the snapshot carries, its sha256 and the
  classes pickled from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from torch import Tensor

from inrvid.base.errors import SnapshotError
from inrvid.release.pickles import ObjectRecord, PersistentRecord

OMEGACONF_CONTAINERS = ("omegaconf.dictconfig.DictConfig", "omegaconf.listconfig.ListConfig")


# ---------------------------------------------------------------- modules
class ModuleRecord:
    """A recorded torch module at `path` (dotted, `""` for a snapshot's top-level network)."""

    def __init__(self, record: PersistentRecord | ObjectRecord, path: str) -> None:
        state = record.state
        if not isinstance(state, dict) or "_parameters" not in state or "_modules" not in state:
            raise SnapshotError(f"{path or 'network'}: expected a torch module's state, got "
                                f"{_kind(record)}")
        self.record = record
        self.path = path
        self.state: dict[str, Any] = state

    @property
    def class_name(self) -> str:
        """The class name (a persistent class's own, or a recorded class's global)."""
        if isinstance(self.record, PersistentRecord):
            return self.record.class_name
        return self.record.global_name

    @property
    def init_kwargs(self) -> dict[str, Any]:
        """The constructor's keyword arguments as plain data (persistent classes record them)."""
        return plain(self.state.get("_init_kwargs") or {})

    def attr(self, name: str, default: Any = None) -> Any:
        """An attribute the module set in its constructor, as plain data."""
        return plain(self.state.get(name, default))

    def children(self) -> dict[str, ModuleRecord]:
        """Submodules by name (None entries, unset optional modules, left out)."""
        modules = self.state["_modules"]
        return {name: ModuleRecord(m, self._join(name)) for name, m in modules.items()
                if m is not None}

    def child(self, name: str) -> ModuleRecord:
        """The submodule `name`; a `SnapshotError` naming the path if it is absent."""
        found = self.children().get(name)
        if found is None:
            raise SnapshotError(f"{self._join(name)}: missing in the snapshot")
        return found

    def tensors(self) -> dict[str, Tensor]:
        """This module's own parameters and persistent buffers (no submodules)."""
        skip = self.state.get("_non_persistent_buffers_set") or set()
        own = {**self.state["_parameters"],
               **{k: v for k, v in self.state.get("_buffers", {}).items() if k not in skip}}
        for name, value in own.items():
            if value is not None and not isinstance(value, Tensor):
                raise SnapshotError(f"{self._join(name)}: expected a tensor, got {_kind(value)}")
        return {k: v for k, v in own.items() if v is not None}

    def state_dict(self) -> dict[str, Tensor]:
        """Every parameter and persistent buffer below, under the release's dotted names."""
        out = dict(self.tensors())
        for name, child in self.children().items():
            out |= {f"{name}.{k}": v for k, v in child.state_dict().items()}
        return out

    def _join(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name


def _kind(value: Any) -> str:
    if isinstance(value, ObjectRecord):
        return f"a recorded {value.global_name}"
    if isinstance(value, PersistentRecord):
        return f"a persistent {value.class_name}"
    return type(value).__name__


# ---------------------------------------------------------------- plain data
@dataclass(frozen=True)
class Unresolved:
    """An OmegaConf reference that cannot be resolved without running code (a resolver)."""

    text: str


def plain(value: Any) -> Any:
    """`value` as plain data: dicts, lists, str, numbers, bool, None; tensors and modules kept."""
    if isinstance(value, ObjectRecord):
        if value.global_name in OMEGACONF_CONTAINERS:
            return omegaconf_plain(value)
        if value.state is None and not value.elements and not value.args:
            return {k: plain(v) for k, v in value.items.items()}   # a dict subclass (EasyDict)
        return value
    if isinstance(value, type) and issubclass(value, ObjectRecord):
        return value.global_name                                     # a type named, e.g. Any
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _node_data(node: Any, depth: int = 0) -> Any:
    """An OmegaConf node's content as plain data (references left as `${...}` strings)."""
    if depth > 100:
        raise SnapshotError("an OmegaConf config nested over 100 levels deep")
    if not (isinstance(node, ObjectRecord) and node.global_name.startswith("omegaconf.")):
        return plain(node)
    state = node.state if isinstance(node.state, dict) else {}
    if node.global_name in OMEGACONF_CONTAINERS:
        content = state.get("_content")
        if isinstance(content, Mapping):
            return {k: _node_data(v, depth + 1) for k, v in content.items()}
        if isinstance(content, list | tuple):
            return [_node_data(v, depth + 1) for v in content]
        return None if content == "???" else content             # None, or a `${...}` string
    value = state.get("_val")
    return None if value == "???" else plain(value)


def _key_of(node: ObjectRecord) -> Any:
    meta = node.state.get("_metadata") if isinstance(node.state, dict) else None
    state = meta.state if isinstance(meta, ObjectRecord) else None
    return state.get("key") if isinstance(state, dict) else None


def omegaconf_plain(node: ObjectRecord) -> Any:
    """An OmegaConf container as plain data, its `${...}` references resolved.

    A pickled node carries its parents, so references are resolved against its root config
    (as OmegaConf resolves them), then the node's own part is returned.
    """
    path: list[Any] = []
    root = node
    for _ in range(100):
        parent = root.state.get("_parent") if isinstance(root.state, dict) else None
        if not isinstance(parent, ObjectRecord):
            break
        path.append(_key_of(root))
        root = parent
    resolved = resolve_references(_node_data(root))
    for key in reversed(path):
        resolved = resolved[key]
    return resolved


_REFERENCE = re.compile(r"\$\{([^${}]*)\}")


def resolve_references(tree: Any) -> Any:
    """Resolve OmegaConf-style `${a.b}` (absolute) and `${.a}` (relative) references in `tree`.

    A string that is one reference takes the referenced value (of any type); references
    inside a longer string are replaced by their text. A resolver call (`${name:...}`) or a
    missing target becomes `Unresolved`, an error only for the importer that reads it.
    """

    def lookup(container: tuple[Any, ...], ref: str, depth: int) -> Any:
        if ":" in ref or depth > 32:
            return Unresolved(f"${{{ref}}}")
        dots = len(ref) - len(ref.lstrip("."))
        base = container[: len(container) - (dots - 1)] if dots else ()
        rest = ref[dots:]
        node: Any = tree
        where: list[Any] = []
        for part in [*base, *(rest.split(".") if rest else [])]:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
                node, part = node[int(part)], int(part)
            else:
                return Unresolved(f"${{{ref}}}")
            where.append(part)
        return resolve(node, tuple(where), depth + 1)

    def resolve(value: Any, path: tuple[Any, ...], depth: int) -> Any:
        """`value`, found at `path`, with its references resolved."""
        if isinstance(value, Mapping):
            return {k: resolve(v, (*path, k), depth) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, (*path, i), depth) for i, v in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return lookup(path[:-1], whole.group(1), depth)
        parts = []
        for ref in _REFERENCE.finditer(value):
            found = lookup(path[:-1], ref.group(1), depth)
            if isinstance(found, Unresolved | Mapping | list):
                return Unresolved(value)
            parts.append((ref.span(), str(found)))
        for (start, end), text in reversed(parts):
            value = value[:start] + text + value[end:]
        return value

    return resolve(tree, (), 0)


class Options:
    """A snapshot's plain arguments, read for an importer: each refusal names its key.

    `where` names the config (`G.cfg`), `family` the inrvid model family, for messages.
    """

    def __init__(self, data: Any, where: str, family: str) -> None:
        self.data = data if isinstance(data, dict) else {}
        self.where = where
        self.family = family

    def get(self, key: str, default: Any = None) -> Any:
        """`key` (dotted), or `default` when absent; an unresolvable reference refuses."""
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        if isinstance(node, Unresolved):
            raise SnapshotError(f"{self.where}.{key}: {node.text} cannot be resolved without "
                                "running the release's code")
        return node

    def expect(self, key: str, allowed: Any, default: Any = None) -> Any:
        """`key`, refused unless it equals `allowed` (inrvid has only that behaviour)."""
        value = self.get(key, default)
        if value != allowed:
            raise SnapshotError(
                f"{self.where}.{key}: {value!r}: inrvid's {self.family} has no equivalent "
                f"(it implements {allowed!r} only)")
        return value


# ---------------------------------------------------------------- sources
@dataclass(frozen=True)
class SourceModule:
    """One module source pickled in a snapshot: its fingerprint and the classes from it."""

    sha256: str
    classes: tuple[str, ...]
    lines: int


def walk(value: Any) -> Iterator[Any]:
    """Every object reachable from `value` (records, containers), each once."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, PersistentRecord):
            stack.append(item.state)
        elif isinstance(item, ObjectRecord):
            stack.extend([item.args, item.state, item.items, item.elements])
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)


def source_modules(top: Any) -> list[SourceModule]:
    """The distinct module sources of every persistent object under `top`."""
    by_hash: dict[str, tuple[set[str], int]] = {}
    for item in walk(top):
        if isinstance(item, PersistentRecord):
            classes, _ = by_hash.setdefault(item.source_sha256,
                                            (set(), item.module_src.count("\n")))
            classes.add(item.class_name)
    return [SourceModule(h, tuple(sorted(c)), n) for h, (c, n) in sorted(by_hash.items())]
