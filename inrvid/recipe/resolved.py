"""`recipe.resolved.yaml`: the flat recipe, every default written, each value's source noted."""

from __future__ import annotations

from typing import Any

import yaml

from inrvid.recipe.load import child_node
from inrvid.recipe.schema import Recipe


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _source(recipe: Recipe, path: tuple[str | int, ...]) -> str:
    node: Any = recipe.source.root
    for part in path:
        node = child_node(node, part)
        if node is None:
            return "default"
    loc = node.loc
    return loc.file if loc.override is not None else f"{loc.file}:{loc.line}"


def _emit(
    recipe: Recipe, value: Any, path: tuple[str | int, ...], indent: int, out: list[str]
) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key, sub in value.items():
            here = (*path, key)
            nested = isinstance(sub, dict) or (
                isinstance(sub, list) and any(isinstance(v, dict) for v in sub)
            )
            if nested and sub:
                out.append(f"{pad}{key}:")
                _emit(recipe, sub, here, indent + 1, out)
            else:
                out.append(f"{pad}{key}: {_scalar(sub)}  # {_source(recipe, here)}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            lines: list[str] = []
            _emit(recipe, item, (*path, i), indent + 1, lines)
            if lines:
                first = lines[0].lstrip()
                out.append(f"{pad}- {first}")
                out.extend(lines[1:])


def resolved_yaml(recipe: Recipe) -> str:
    """The resolved recipe as YAML text, runnable as it stands (`extends` flattened)."""
    lines = [
        "# resolved by inrvid: `extends` flattened, overrides applied, every default written out",
        f"# from {recipe.source.path}"
        + (
            f" with overrides {' '.join(recipe.source.overrides)}"
            if recipe.source.overrides
            else ""
        ),
    ]
    _emit(recipe, recipe.resolved(), (), 0, lines)
    return "\n".join(lines) + "\n"
