"""A JSON Schema of recipes built from the loaded registries, for editor completion.

Each component section is a tagged union over the registered components of its registry:
`kind` is a constant per branch and the remaining keys follow that component's config.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from inrvid.components.kinds import Kind
from inrvid.components.registry import Registry
from inrvid.recipe.schema import Catalog, EvalConfig, OutputConfig, TrainConfig


def _model_schema(model: type[BaseModel], defs: dict[str, Any], prefix: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=f"#/$defs/{prefix}{{model}}")
    for name, sub in schema.pop("$defs", {}).items():
        defs[f"{prefix}{name}"] = sub
    return schema


def _union(components: Registry[Any], defs: dict[str, Any]) -> dict[str, Any]:
    registry = components.name
    branches = []
    for comp in components:
        schema = _model_schema(comp.config, defs, f"{registry}.{comp.origin.entry_point}.")
        props = dict(schema.get("properties", {}))
        kinds = [comp.name, comp.qualified_name]
        props["kind"] = {"enum": kinds, "description": comp.summary}
        branch = {
            "type": "object",
            "title": f"{registry} {comp.name}",
            "description": comp.summary,
            "properties": props,
            "required": ["kind", *schema.get("required", [])],
            "additionalProperties": False,
        }
        branches.append(branch)
    if not branches:
        return {
            "type": "object",
            "required": ["kind"],
            "description": f"no {registry} is installed",
        }
    return {"oneOf": branches}


def recipe_json_schema(plugins: Catalog) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a recipe file with the loaded plug-ins."""
    defs: dict[str, Any] = {}
    for kind in plugins.kinds:
        defs[f"section.{kind.name}"] = _union(plugins.registry(kind.name), defs)

    def ref(registry: str) -> dict[str, str]:
        return {"$ref": f"#/$defs/section.{registry}"}

    train = _model_schema(TrainConfig, defs, "core.")
    output = _model_schema(OutputConfig, defs, "core.")
    eval_schema = _model_schema(EvalConfig, defs, "core.")
    core = {"train": train, "eval": eval_schema, "output": output}

    def sections(kind: Kind) -> dict[str, Any]:
        if kind.shape == "one":
            return ref(kind.name)
        if kind.shape == "list":
            return {"type": "array", "items": ref(kind.name), "description": kind.description}
        return {
            "type": "object",
            "additionalProperties": ref(kind.name),
            "description": kind.description,
        }

    top: dict[str, Any] = {}
    for kind in plugins.kinds:
        parent = top if len(kind.path) == 1 else core[kind.path[0]]["properties"]
        parent[kind.attribute] = sections(kind)
    for schema in core.values():
        schema["additionalProperties"] = False
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "inrvid recipe",
        "type": "object",
        "properties": {
            "extends": {"type": "string", "description": "path of the parent recipe"},
            "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
            "description": {"type": "string"},
            "seed": {"type": "integer", "minimum": 0},
            **top,
            **core,
        },
        # a recipe that `extends` another may leave any section to its parent
        "if": {"required": ["extends"]},
        "then": {},
        "else": {
            "required": [
                "name",
                *(k.attribute for k in plugins.kinds if len(k.path) == 1 and k.required),
            ]
        },
        "additionalProperties": False,
        "$defs": defs,
    }
