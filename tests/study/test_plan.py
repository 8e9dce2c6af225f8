"""Study files and plans: ablation differences on any base, located refusals before any run."""

from __future__ import annotations

from pathlib import Path

import pytest

from inrvid.cli import main
from inrvid.recipe import load_tree, validate
from inrvid.recipe.delta import IDENTITY_KEYS, apply_changes, difference
from inrvid.study.plan import plan_study
from inrvid.study.spec import StudyError, load_study
from tests.study.conftest import ABLATIONS, QUICKSTART, write_study

ALL_ABLATIONS = sorted(ABLATIONS.glob("*.yaml"))


@pytest.mark.parametrize("ablation", ALL_ABLATIONS, ids=lambda p: p.stem)
def test_an_ablation_replayed_on_its_own_parent_gives_the_ablation(ablation: Path):
    child = load_tree(ablation)
    parent = load_tree(child.chain[1])
    changes = difference(parent.plain(), child.plain())
    assert changes, "an ablation changes something"
    assert apply_changes(parent.root, changes, child, parent.root.loc) == []
    strip = {k: v for k, v in child.plain().items() if k not in IDENTITY_KEYS}
    assert {k: v for k, v in parent.plain().items() if k not in IDENTITY_KEYS} == strip


def test_every_ablation_runs_on_the_quickstart_keeping_its_sizes(tmp_path: Path, plugins):
    variants = {p.stem.removeprefix("digan_ucf_").replace("_", "-"): {"ablation": str(p)}
                for p in ALL_ABLATIONS}
    plan = plan_study(load_study(write_study(tmp_path, seeds=[0], variants=variants)), plugins)
    recipes = {run.variant: run.recipe for run in plan.runs}
    assert set(recipes) == {"base", *variants}
    base = recipes["base"]
    for name, recipe in recipes.items():
        assert recipe.data.config == base.data.config, name       # moving_shapes at 16x16
    # a section whose kind changes keeps the base's values, not UCF's 512 channels
    single = recipes["single-scale"].generator
    assert single.component.name == "digan_single_scale"
    assert single.config.channel_max == 16 and single.config.content_dim == 64
    no_dt = recipes["no-dt"].discriminators["motion"]
    assert no_dt.component.name == "digan_motion_d_no_dt" and no_dt.config.channel_max == 16
    assert recipes["sigma-t-eq-sigma-x"].encoder.config.sigma_t == pytest.approx(10**0.5)
    assert set(recipes["image-d-only"].discriminators) == {"image"}
    assert recipes["no-motion"].generator.config.motion_dim == 0
    changes = {v.name: v.changes for v in plan.variants}
    assert changes["no-dt"] == ["discriminators.motion.kind: digan_motion_d → digan_motion_d_no_dt"]
    # every run is an ordinary recipe with the study's seed, budget and name
    assert base.seed == 0 and base.train.duration_kimg == 0.064 and base.name == "tiny-base-s0"


def line_of(path: Path, text: str) -> int:
    """The 1-based line of `path` holding `text`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_broken_variant_is_refused_before_any_run_named_and_located(tmp_path: Path, capsys):
    study = write_study(tmp_path, variants={
        "fine": {"overrides": ["encoder.sigma_t=1.0"]},
        "broken": {"overrides": ["generator.chanel_max=16"]},
    })
    out = tmp_path / "out"
    assert main(["study", str(study), "--out", str(out), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert "the study has 1 problem" in err
    assert "variant 'broken': generator.chanel_max" in err and "fine" not in err
    assert f"{study}:{line_of(study, 'generator.chanel_max')}:" in err
    assert "did you mean 'channel_max'" in err
    assert not out.exists()                                        # nothing ran


def test_a_broken_ablation_file_is_located_in_that_file(tmp_path: Path, capsys):
    ablation = tmp_path / "broken_ablation.yaml"
    ablation.write_text(f"extends: {QUICKSTART}\nname: broken\nencoder:\n  sigma_tt: 1.0\n")
    study = write_study(tmp_path, variants={"typo": {"ablation": str(ablation)}})
    assert main(["study", str(study), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "variant 'typo': encoder.sigma_tt: not an option" in err
    assert f"{ablation.name}:4:3" in err or f"{ablation}:4:3" in err


def test_a_variant_on_other_data_than_the_base_is_refused(tmp_path: Path, plugins):
    study = write_study(tmp_path, variants={"more": {"overrides": ["data.videos=64"]}})
    with pytest.raises(StudyError, match=r"variant 'more': data: trains on other data than the "
                                         r"base \(data.videos: 128 → 64\)"):
        plan_study(load_study(study), plugins)


def test_study_file_problems_are_all_reported_with_their_lines(tmp_path: Path):
    study = write_study(tmp_path, seeds=[1, 1], budget=3, variants={
        "base": {"overrides": ["seed=2"]},
    })
    with pytest.raises(StudyError) as caught:
        load_study(study)
    text = str(caught.value)
    assert "the study has 3 problems" in text
    assert f"{study}:{line_of(study, 'budget: 3')}:1: budget: not an option of a study" in text
    assert "seeds: expected distinct seeds, got [1] more than once\n" in text
    assert f"{study}:{line_of(study, '  base:')}:3: variants: 'base' names the base" in text
    both = write_study(tmp_path, variants={
        "both": {"recipe": str(QUICKSTART), "ablation": str(ALL_ABLATIONS[0])}})
    with pytest.raises(StudyError, match=r"variants\.both: give `recipe` or `ablation`, not both"):
        load_study(both)


def test_every_run_is_validated_as_an_ordinary_recipe(tmp_path: Path, plugins):
    plan = plan_study(load_study(write_study(tmp_path)), plugins)
    for run in plan.runs:
        again = validate(run.recipe.source, plugins)
        assert again.resolved() == run.recipe.resolved()
        assert run.folder == f"runs/{run.variant}/seed-{run.seed}"


@pytest.mark.parametrize("study", sorted((QUICKSTART.parent / "studies").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_the_shipped_studies_validate_and_compare_variants_on_the_same_data(
    study: Path, plugins
):
    plan = plan_study(load_study(study), plugins)
    spec = plan.study.spec
    assert len(plan.runs) == len(spec.seeds) * (len(spec.variants) + 1)
    data = {run.variant: run.recipe.data.config for run in plan.runs}
    assert all(config == data["base"] for config in data.values())
    assert spec.metrics.prediction is not None and spec.metrics.prediction.horizon >= 2


def test_a_prediction_score_the_data_cannot_give_is_refused_before_any_run(
    tmp_path: Path, plugins
):
    metrics = {"prediction": {"videos": 2, "fitted_frames": 16}}   # clips have 16 frames
    study = write_study(tmp_path, metrics=metrics)
    with pytest.raises(StudyError, match=r"metrics\.prediction: prediction\.fitted_frames: got "
                                         r"16, expected 2 \.\. 15"):
        plan_study(load_study(study), plugins)
