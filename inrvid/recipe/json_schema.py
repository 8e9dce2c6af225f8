"""A JSON Schema of recipes built from the loaded registries, for editor completion.

Each component section is a tagged union over the registered components of its registry:
`kind` is a constant per branch and the remaining keys follow that component's config.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from inrvid.plugins import REGISTRIES, ensure_plugins
from inrvid.recipe.schema import EvalConfig, OutputConfig, TrainConfig


def _model_schema(model: type[BaseModel], defs: dict[str, Any], prefix: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=f"#/$defs/{prefix}{{model}}")
    for name, sub in schema.pop("$defs", {}).items():
        defs[f"{prefix}{name}"] = sub
    return schema


def _union(registry: str, defs: dict[str, Any]) -> dict[str, Any]:
    branches = []
    for comp in REGISTRIES[registry]:
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


def recipe_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a recipe file with the installed plug-ins."""
    ensure_plugins()
    defs: dict[str, Any] = {}
    for registry in REGISTRIES:
        defs[f"section.{registry}"] = _union(registry, defs)

    def ref(registry: str) -> dict[str, str]:
        return {"$ref": f"#/$defs/section.{registry}"}

    train = _model_schema(TrainConfig, defs, "core.")
    output = _model_schema(OutputConfig, defs, "core.")
    eval_schema = _model_schema(EvalConfig, defs, "core.")
    eval_schema["properties"]["metrics"] = {
        "type": "object",
        "additionalProperties": ref("metric"),
        "description": "role name -> metric section",
    }
    for schema in (train, output, eval_schema):
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
            "data": ref("dataset"),
            "augment": {"type": "array", "items": ref("augment")},
            "sampler": ref("sampler"),
            "encoder": ref("encoder"),
            "generator": ref("generator"),
            "discriminators": {"type": "object", "additionalProperties": ref("discriminator")},
            "losses": {"type": "object", "additionalProperties": ref("loss")},
            "train": train,
            "eval": eval_schema,
            "output": output,
        },
        # a recipe that `extends` another may leave any section to its parent
        "if": {"required": ["extends"]},
        "then": {},
        "else": {
            "required": [
                "name",
                "data",
                "sampler",
                "generator",
                "discriminators",
                "losses",
            ]
        },
        "additionalProperties": False,
        "$defs": defs,
    }
