"""What a valid recipe asks of this machine: checked by `inrvid run` and `recipe validate`.

Validation proper (`schema.validate`) judges a recipe alone, so that `eval` and `generate`
can read the recipe inside a checkpoint made elsewhere. Training here also needs the device
the recipe names and an output folder it can create.
"""

from __future__ import annotations

from inrvid.base.limits import device_problem, folder_problem
from inrvid.recipe.errors import RecipeError, RecipeProblem
from inrvid.recipe.schema import Recipe


def _located(recipe: Recipe, path: str, message: str, hint: str) -> RecipeProblem:
    parts = tuple(path.split("."))
    return RecipeProblem(path, message, hint=hint, loc=recipe.source.locate(parts))


def machine_problems(recipe: Recipe, new_run: bool = True) -> list[RecipeProblem]:
    """Every way in which training `recipe` on this machine would fail at once.

    `new_run`: the run folder is made under `output.dir` (a resumed run has its own).
    """
    problems = []
    device = device_problem(recipe.train.device, "train.device")
    if device:
        problems.append(
            _located(recipe, "train.device", device, "use `auto` or `cpu` (train.device=cpu)")
        )
    output = folder_problem(recipe.output.dir) if new_run else None
    if output:
        problems.append(
            _located(recipe, "output.dir", output, "choose a folder (output.dir=PATH)")
        )
    return problems


def check_machine(recipe: Recipe, new_run: bool = True) -> None:
    """Raise a `RecipeError` listing `machine_problems`, if any."""
    problems = machine_problems(recipe, new_run)
    if problems:
        raise RecipeError(problems)
