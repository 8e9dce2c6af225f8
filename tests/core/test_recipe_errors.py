"""Recipe validation reports every problem at once, located and with suggestions."""

import subprocess
import sys

import pytest

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import RecipeError, load_recipe, load_tree

FOUR_PROBLEMS = """\
name: toy
seed: 3
data: {kind: toy_dataset, resolution: 8, clip_frames: 4, videos: 4}
sampler: {kind: toy_sampler}
encoder: {kind: toy_encoder, features: 8}
generator: {kind: toy_generatr, hidden: 8}
discriminators:
  image: {kind: toy_d, chanels: 4}
  motion: {kind: toy_d, channels: four}
losses:
  adversarial: {kind: toy_loss}
  adversarial: {kind: toy_loss}
"""


@pytest.fixture
def four_problem_recipe(toy_recipe):
    path = toy_recipe.parent / "four.yaml"
    path.write_text(FOUR_PROBLEMS)
    return path


def test_one_report_lists_misspelt_kind_misspelt_key_wrong_type_and_duplicate_key(
    four_problem_recipe,
):
    with pytest.raises(RecipeError) as info:
        load_recipe(four_problem_recipe, plugins=load_plugins())
    problems = info.value.problems
    assert len(problems) == 4
    lines = [p.headline() for p in problems]
    name = str(four_problem_recipe)
    assert any(
        line.startswith(f"{name}:6:19: generator.kind: unknown generator 'toy_generatr'")
        for line in lines
    ), lines
    assert any(
        line.startswith(f"{name}:8:24: discriminators.image.chanels: not an option of toy_d")
        for line in lines
    ), lines
    assert any(
        line.startswith(f"{name}:9:35: discriminators.motion.channels: expected an integer")
        and "'four'" in line
        for line in lines
    ), lines
    assert any(
        line.startswith(f"{name}:12:3: losses.adversarial: duplicate key 'adversarial'")
        for line in lines
    ), lines
    hints = {p.path: p.hint for p in problems}
    assert "did you mean 'toy_generator'?" in hints["generator.kind"]
    assert "did you mean 'channels'?" in hints["discriminators.image.chanels"]
    rendered = str(info.value)
    assert ">    8 |   image: {kind: toy_d, chanels: 4}" in rendered


def test_cli_prints_the_report_without_a_traceback_and_exits_non_zero(
    four_problem_recipe, tmp_path
):
    # The toy plug-in is not installed, so the CLI run reports the unknown kinds; the point
    # here is the rendering: a short message, no traceback, exit status 2.
    result = subprocess.run(
        [sys.executable, "-m", "inrvid", "recipe", "validate", str(four_problem_recipe)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error: the recipe has" in result.stderr
    assert "duplicate key 'adversarial'" in result.stderr


def test_misspelt_override_names_its_command_line_argument(toy_recipe):
    with pytest.raises(RecipeError) as info:
        load_recipe(toy_recipe, ["seed=4", "train.batch_sise=32"], positions=[3, 4], plugins=load_plugins())
    (problem,) = info.value.problems
    assert problem.headline().startswith(
        "command line argument 4: train.batch_sise=32: train.batch_sise: not an option of the "
        "`train` section"
    )
    assert "did you mean 'batch_size'?" in problem.hint


def test_override_with_wrong_type_names_its_argument_and_the_value(toy_recipe):
    with pytest.raises(RecipeError) as info:
        load_recipe(toy_recipe, ["train.batch_size=sixty"], plugins=load_plugins())
    assert info.value.problems[0].headline() == (
        "command line argument 1: train.batch_size=sixty: train.batch_size: "
        "expected an integer, got 'sixty'"
    )


def test_exponent_without_a_dot_reads_as_a_float(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1e-4\nb: 2.5e3\nc: 3\nd: '1e-4'\n")
    data = load_tree(path).plain()
    assert data == {"a": 1e-4, "b": 2500.0, "c": 3, "d": "1e-4"}
    assert isinstance(data["a"], float)


def test_unknown_kind_mentions_failed_plugins(load_fixture_plugins, toy_recipe):
    load_fixture_plugins("toy", "broken_import")
    text = toy_recipe.read_text().replace("kind: toy_generator", "kind: toy_generatr")
    toy_recipe.write_text(text)
    with pytest.raises(RecipeError) as info:
        load_recipe(toy_recipe, plugins=load_plugins())
    assert "1 plug-in failed to load" in info.value.problems[0].hint


def test_missing_recipe_file_names_the_absolute_path(tmp_path):
    with pytest.raises(RecipeError, match=f"recipe file not found: {tmp_path}/nope.yaml"):
        load_recipe(tmp_path / "nope.yaml", plugins=load_plugins())
