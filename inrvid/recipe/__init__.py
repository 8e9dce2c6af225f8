"""Recipes: YAML with locations, `extends`, overrides, two-phase validation, cross checks.

Validation takes the loaded plug-ins as a `Catalog` (the table of kinds, the registries, the
hooks), passed in by the caller. This layer imports `inrvid.components`, `inrvid.video` and
`inrvid.base`; never the plug-in loader, the run-time or a command.
"""

from inrvid.recipe.errors import Loc, RecipeError, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, load_tree
from inrvid.recipe.schema import (
    Catalog,
    EvalConfig,
    OutputConfig,
    Recipe,
    TrainConfig,
    load_recipe,
    recipe_from_text,
    validate,
)

__all__ = [
    "Catalog",
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
