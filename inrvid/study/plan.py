"""A study's runs: every (variant, seed) as a validated recipe and a run folder.

A variant's recipe is the base (or the variant's own `recipe`) with the study's overrides,
then an ablation's differences from its reference (`inrvid.recipe.delta`), then the variant's
overrides, then what the study fixes for every run: the seed, the budget, the metrics and a
name. Every run is
validated before any starts; a broken variant is named, each problem at its line.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inrvid.base.errors import InrvidError
from inrvid.evaluation.prediction import band_times, ground_truth_of
from inrvid.loading.plugins import Plugins
from inrvid.recipe import Recipe, load_tree, validate
from inrvid.recipe.delta import Change, apply_changes, difference
from inrvid.recipe.errors import Loc, RecipeError, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, Node, apply_override
from inrvid.runtime.build import build_dataset_of
from inrvid.study.spec import BASE, StudyError, StudyFile, VariantSpec

RUNS = "runs"


@dataclass
class PlannedRun:
    """One (variant, seed): its validated recipe and its folder relative to the study's."""

    index: int
    variant: str
    seed: int
    recipe: Recipe

    @property
    def folder(self) -> str:
        """`runs/<variant>/seed-<seed>`."""
        return f"{RUNS}/{self.variant}/seed-{self.seed}"

    @property
    def label(self) -> str:
        """`<variant> seed <seed>`, for messages."""
        return f"{self.variant} seed {self.seed}"


@dataclass
class VariantPlan:
    """A variant (or the base): where it comes from and what it changes in the base."""

    name: str
    description: str
    changes: list[str] = field(default_factory=list)


@dataclass
class StudyPlan:
    """Every run of a study in order (seed-major: all variants of a seed, then the next)."""

    study: StudyFile
    variants: list[VariantPlan]
    runs: list[PlannedRun]
    plugins: Plugins  # the plug-ins the recipes were validated against (and run with)


def plan_study(study: StudyFile, plugins: Plugins) -> StudyPlan:
    """Build and validate every run; one `StudyError` names every broken variant."""
    spec = study.spec
    problems: list[RecipeProblem] = []
    try:
        base = load_tree(study.resolve(spec.base), where=study.locate("base"))
        _study_overrides(study, base)
        if base.problems:
            raise RecipeError(base.problems)
    except RecipeError as exc:
        raise StudyError(study.display, _named(BASE, exc.problems)) from None
    base_plain = base.plain()
    variants: list[VariantPlan] = [VariantPlan(BASE, "the base recipe", [])]
    trees: dict[str, LoadedRecipe] = {BASE: base}
    for name, variant in spec.variants.items():
        try:
            tree = _variant_tree(study, name, variant, base)
        except RecipeError as exc:
            problems += _named(name, exc.problems)
            continue
        trees[name] = tree
        changes = [c.describe() for c in difference(base_plain, tree.plain())]
        variants.append(VariantPlan(name, variant.description, changes))
    runs: list[PlannedRun] = []
    data: dict[str, Any] | None = None
    for seed in spec.seeds:
        for name, tree in trees.items():
            try:
                recipe = validate(_finished(study, tree, name, seed), plugins)
            except RecipeError as exc:
                if seed == spec.seeds[0]:  # the same problems for every seed: report them once
                    problems += _named(name, exc.problems)
                continue
            resolved_data = recipe.resolved()["data"]
            data = resolved_data if data is None else data
            if resolved_data != data and seed == spec.seeds[0]:
                problems.append(_data_problem(study, name, data, resolved_data))
            runs.append(PlannedRun(len(runs), name, seed, recipe))
    if not problems and runs:
        problems += _prediction_problems(study, runs[0].recipe, plugins)
    if problems:
        raise StudyError(study.display, problems)
    return StudyPlan(study, variants, runs, plugins)


def _prediction_problems(
    study: StudyFile, recipe: Recipe, plugins: Plugins
) -> list[RecipeProblem]:
    """Whether the prediction score can be had on the study's data (before anything trains)."""
    prediction = study.spec.metrics.prediction
    if prediction is None:
        return []
    try:
        dataset = build_dataset_of(recipe, plugins)
        ground_truth_of(dataset, f"data ({recipe.data.component.name})")
        band_times(dataset.video_spec.frames, prediction.fitted_frames, prediction.horizon)
    except InrvidError as exc:
        message, _, hint = str(exc).partition("\n")
        return [RecipeProblem("metrics.prediction", message, hint=hint.strip(),
                              loc=study.locate("metrics", "prediction", key=True))]
    return []


def _named(variant: str, problems: list[RecipeProblem]) -> list[RecipeProblem]:
    """The problems with the variant's name in front of each path."""
    where = "the base recipe" if variant == BASE else f"variant '{variant}'"
    for p in problems:
        p.path = f"{where}: {p.path}" if p.path else where
    return problems


def _variant_tree(
    study: StudyFile, name: str, variant: VariantSpec, base: LoadedRecipe
) -> LoadedRecipe:
    """The variant's merged tree before the study's fixed values (a `RecipeError` if broken)."""
    problems: list[RecipeProblem] = []
    if variant.recipe is not None:
        tree = load_tree(study.resolve(variant.recipe),
                         where=study.locate("variants", name, "recipe"))
        _study_overrides(study, tree)
    else:  # the base, the study's overrides applied
        tree = LoadedRecipe(copy.deepcopy(base.root), base.path, list(base.chain), [], [])
    if variant.ablation is not None:
        problems += _apply_ablation(study, name, variant, tree)
    for i, text in enumerate(variant.overrides):
        problems += _override(study, tree, text, ("variants", name, "overrides", i))
    problems += tree.problems
    if problems:
        raise RecipeError(problems)
    return tree


def _apply_ablation(
    study: StudyFile, name: str, variant: VariantSpec, tree: LoadedRecipe
) -> list[RecipeProblem]:
    """Apply the differences of the ablation from its reference to `tree`, in place."""
    assert variant.ablation is not None
    where = study.locate("variants", name, "ablation")
    ablation = load_tree(study.resolve(variant.ablation), where=where)
    if variant.reference is not None:
        reference = load_tree(study.resolve(variant.reference),
                              where=study.locate("variants", name, "reference"))
    elif len(ablation.chain) > 1:
        reference = load_tree(ablation.chain[1])
    else:
        return [RecipeProblem(
            "ablation", f"{variant.ablation} extends no recipe, so it has no differences to apply",
            hint="give `reference: <recipe>` to compare it with, or use `recipe:` to run it whole",
            loc=where,
        )]
    changes: list[Change] = difference(reference.plain(), ablation.plain())
    if not changes:
        return [RecipeProblem("ablation", f"{variant.ablation} changes nothing in its reference",
                              loc=where)]
    return apply_changes(tree.root, changes, ablation, where) + ablation.problems


def _override(
    study: StudyFile, tree: LoadedRecipe, text: str, path: tuple[str | int, ...]
) -> list[RecipeProblem]:
    """Apply one override written in the study file, located at its line."""
    loc = study.locate(*path)
    problems: list[RecipeProblem] = []
    try:
        apply_override(tree.root, text, 0, problems, loc=loc)
    except RecipeError as exc:  # the value is not YAML: point at the study's line
        problems += [RecipeProblem(p.path, p.message, p.hint, loc) for p in exc.problems]
    return problems


def _study_overrides(study: StudyFile, tree: LoadedRecipe) -> None:
    """Apply the study's `overrides` (every run's) to a starting tree, in place."""
    for i, text in enumerate(study.spec.overrides):
        tree.problems += _override(study, tree, text, ("overrides", i))


def _finished(study: StudyFile, tree: LoadedRecipe, name: str, seed: int) -> LoadedRecipe:
    """A copy of `tree` with the study's seed, budget, metrics and run name."""
    spec = study.spec
    out = LoadedRecipe(copy.deepcopy(tree.root), tree.path, list(tree.chain), [], [])
    root = out.root.value
    _set(root, ("name",), f"{spec.name}-{name}-s{seed}", study.locate("name"))
    _set(root, ("seed",), seed, study.locate("seeds"))
    _set(root, ("train", "duration_kimg"), spec.budget_kimg, study.locate("budget_kimg"))
    metrics = spec.metrics
    if metrics.every_kimg is not None:
        _set(root, ("eval", "every_kimg"), metrics.every_kimg,
             study.locate("metrics", "every_kimg"))
    written = study.node("metrics", "eval")
    if metrics.eval is not None and written is not None:
        _set(root, ("eval", "metrics"), copy.deepcopy(written), written.loc)
    return out


def _set(root: dict[str, Node], path: tuple[str, ...], value: Any, loc: Loc) -> None:
    """Set `path` in a tree to `value` (a Node, or plain data located at `loc`)."""
    node = value if isinstance(value, Node) else Node(value, loc)
    node.key_loc = loc
    for part in path[:-1]:
        child = root.get(part)
        if child is None or not child.is_mapping:
            child = root[part] = Node({}, loc, key_loc=loc)
        root = child.value
    root[path[-1]] = node


def _data_problem(
    study: StudyFile, name: str, base: dict[str, Any], data: dict[str, Any]
) -> RecipeProblem:
    """A variant trained on other data than the base: its scores would not compare."""
    changed = [c.describe() for c in difference(base, data, ("data",))]
    return RecipeProblem(
        f"variant '{name}': data",
        "trains on other data than the base (" + "; ".join(changed[:4]) + ")",
        hint="a study compares variants on the same data: override the variant's data section "
        "to the base's",
        loc=study.locate("variants", name, key=True),
    )


def study_folder(study: StudyFile, out: str | Path | None) -> Path:
    """The study folder: `out`, else `studies/<name>` in the current folder."""
    return Path(out) if out is not None else Path("studies") / study.spec.name
