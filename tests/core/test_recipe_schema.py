"""`inrvid recipe schema` is a JSON Schema that accepts correct recipes and rejects wrong ones."""

import jsonschema
import pytest

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_tree
from inrvid.recipe.json_schema import recipe_json_schema


def test_schema_validates_a_correct_recipe_and_rejects_a_wrong_one(toy_recipe):
    schema = recipe_json_schema(load_plugins())
    jsonschema.Draft202012Validator.check_schema(schema)
    good = load_tree(toy_recipe).plain()
    jsonschema.validate(good, schema)
    wrong_key = {**good, "discriminators": {"image": {"kind": "toy_d", "chanels": 4}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong_key, schema)
    wrong_type = {**good, "train": {"batch_size": "sixty"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong_type, schema)
    wrong_kind = {**good, "generator": {"kind": "toy_generatr"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong_kind, schema)


def test_schema_accepts_qualified_kinds_and_recipes_that_extend_another(toy_recipe):
    schema = recipe_json_schema(load_plugins())
    good = load_tree(toy_recipe).plain()
    jsonschema.validate({**good, "encoder": {"kind": "toy:toy_encoder", "features": 4}}, schema)
    jsonschema.validate({"extends": "base.yaml", "train": {"batch_size": 8}}, schema)
