"""The study file: a base recipe, its variants, seeds, a budget and the metrics (validated).

```yaml
name: digan-ablations-moving-shapes
base: ../quickstart.yaml              # paths are relative to this file
overrides: [train.sample_every_kimg=2] # every run, base and variants
seeds: [0, 1]
budget_kimg: 4                          # train.duration_kimg of every run
metrics:
  every_kimg: 1                         # in-training evaluation: curves over kimg
  eval: {swd: {kind: swd, protocol: proxy}}   # eval.metrics of every run (default: the base's)
  prediction: {videos: 8}               # ground-truth prediction score of the final checkpoint
variants:
  no-dt: {ablation: ../ablations/digan_ucf_no_dt.yaml}  # its differences, applied to the base
  sigma-t-1: {overrides: [encoder.sigma_t=1.0]}
  stylegan-v: {recipe: ../stylegan_v_tiny.yaml, overrides: [data.videos=128]}
```

Every problem is reported at once, each at its line (`inrvid.recipe.errors.RecipeProblem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import Field, StringConstraints, field_validator, model_validator

from inrvid.base.errors import InrvidError
from inrvid.components.registry import RecipeModel
from inrvid.evaluation.prediction import PredictionConfig
from inrvid.recipe.delta import node_at
from inrvid.recipe.errors import Loc, RecipeError, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, Node, parse_text, read_recipe_text
from inrvid.recipe.schema import MAX_KIMG

NAME = r"^[a-z0-9][a-z0-9-]*$"
BASE = "base"  # the reference row of every table; no variant may take the name
MAX_SEEDS = 1000
MAX_VARIANTS = 1000

Name = Annotated[str, StringConstraints(pattern=NAME, max_length=60)]


class StudyError(InrvidError):
    """A study file (or one of its variants) is malformed or does not validate."""

    def __init__(self, file: str, problems: list[RecipeProblem]) -> None:
        self.problems = problems
        count = len(problems)
        body = "\n".join(p.render() for p in problems)
        super().__init__(f"{file}: the study has {count} problem{'s' if count != 1 else ''}\n"
                         f"{body}")


class VariantSpec(RecipeModel):
    """One variant: a whole recipe, or an ablation's differences, or overrides of the base."""

    recipe: str | None = Field(None, description="a recipe run in place of the base")
    ablation: str | None = Field(
        None,
        description="a recipe whose differences from its reference are applied to the base",
    )
    reference: str | None = Field(
        None, description="what the ablation is compared with (default: the recipe it extends)"
    )
    overrides: list[str] = Field(default_factory=list, description="key.sub=value, applied last")
    description: str = Field("", description="free text, shown in the table")

    @model_validator(mode="after")
    def _one_source(self) -> VariantSpec:
        if self.recipe is not None and self.ablation is not None:
            raise ValueError("give `recipe` or `ablation`, not both")
        if self.reference is not None and self.ablation is None:
            raise ValueError("`reference` goes with `ablation`")
        if self.recipe is None and self.ablation is None and not self.overrides:
            raise ValueError("expected `recipe`, `ablation` or `overrides` (the variant changes "
                             "nothing)")
        return self


class StudyMetrics(RecipeModel):
    """What every run is scored on."""

    every_kimg: float | None = Field(
        None, gt=0, description="in-training evaluation cadence (curves); null: the base's"
    )
    eval: dict[str, dict[str, Any]] | None = Field(
        None, description="eval.metrics of every run (role -> metric section); null: the base's"
    )
    prediction: PredictionConfig | None = Field(
        None, description="the ground-truth prediction score of each final checkpoint"
    )


class StudySpec(RecipeModel):
    """A study: the base recipe, variants, seeds, budget and metrics."""

    name: Name = Field(description="the study's name ([a-z0-9-]+)")
    description: str = Field("", description="free text")
    base: str = Field(description="the reference recipe, relative to the study file")
    overrides: list[str] = Field(
        default_factory=list, description="key.sub=value applied to every run"
    )
    seeds: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, max_length=MAX_SEEDS, description="the recipe seed of each repeat"
    )
    budget_kimg: float = Field(gt=0, le=MAX_KIMG, description="train.duration_kimg of every run")
    metrics: StudyMetrics = Field(default_factory=StudyMetrics, description="scores")
    variants: dict[Name, VariantSpec] = Field(
        min_length=1, max_length=MAX_VARIANTS, description="name -> variant"
    )

    @field_validator("seeds")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        repeated = sorted({s for s in value if value.count(s) > 1})
        if repeated:
            raise ValueError(f"expected distinct seeds, got {repeated} more than once")
        return value

    @field_validator("variants", mode="before")
    @classmethod
    def _not_base(cls, value: Any) -> Any:
        if isinstance(value, dict) and BASE in value:
            raise ValueError(f"'{BASE}' names the base recipe's row; give the variant another name")
        return value


@dataclass
class StudyFile:
    """A validated study file with its node tree (for locations) and its folder."""

    spec: StudySpec
    loaded: LoadedRecipe
    path: Path

    @property
    def display(self) -> str:
        """The file as messages show it."""
        return self.loaded.root.loc.file

    def resolve(self, relative: str) -> Path:
        """A path written in the study file, relative to its folder."""
        return (self.path.parent / relative).expanduser()

    def locate(self, *path: str | int, key: bool = False) -> Loc:
        """Where the value (or key) at `path` of the study file stands."""
        return self.loaded.locate(tuple(path), key=key) or self.loaded.root.loc

    def node(self, *path: str | int) -> Node | None:
        """The node at `path` of the study file (None if absent)."""
        return node_at(self.loaded.root, tuple(path))


def load_study(path: str | Path) -> StudyFile:
    """Read and validate a study file; a `StudyError` lists every problem with its line."""
    path = Path(path)
    display = str(path)
    try:
        problems: list[RecipeProblem] = []
        root = parse_text(read_recipe_text(path, display), display, problems)
    except RecipeError as exc:
        raise StudyError(display, exc.problems) from None
    loaded = LoadedRecipe(root, path, [path.resolve()], [], problems)
    if not root.is_mapping:
        raise StudyError(display, [RecipeProblem("", "a study must be a mapping", loc=root.loc)])
    try:
        spec = StudySpec.model_validate(loaded.plain())
    except pydantic.ValidationError as exc:
        raise StudyError(display, problems + _problems(exc, loaded)) from None
    if problems:
        raise StudyError(display, problems)
    return StudyFile(spec, loaded, path)


def _problems(exc: pydantic.ValidationError, loaded: LoadedRecipe) -> list[RecipeProblem]:
    """Pydantic's errors as located problems of the study file."""
    out = []
    for err in exc.errors():
        path = tuple(p for p in err["loc"])
        dotted = ".".join(str(p) for p in path)
        kind = err["type"]
        if kind == "extra_forbidden":
            message, hint, loc = "not an option of a study", "see docs/tutorials/studies.md", \
                loaded.locate(path, key=True)
        elif kind == "missing":
            message, hint, loc = "required but missing", "", loaded.locate(path[:-1])
        else:
            text = str(err["msg"]).removeprefix("Value error, ")
            given = err.get("input")
            shown = "" if isinstance(given, dict | list) else f", got {given!r}"
            message, hint, loc = f"{text}{shown}", "", loaded.locate(path)
        out.append(RecipeProblem(dotted, message, hint=hint, loc=loc))
    return out
