"""Recipes: YAML with locations, `extends`, overrides and two-phase validation."""

from inrvid.recipe.errors import Loc, RecipeError, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, load_tree
from inrvid.recipe.schema import (
    EvalConfig,
    OutputConfig,
    Recipe,
    TrainConfig,
    load_recipe,
    recipe_from_text,
    validate,
)

__all__ = [
    "EvalConfig",
    "LoadedRecipe",
    "Loc",
    "OutputConfig",
    "Recipe",
    "RecipeError",
    "RecipeProblem",
    "TrainConfig",
    "load_recipe",
    "load_tree",
    "recipe_from_text",
    "validate",
]
