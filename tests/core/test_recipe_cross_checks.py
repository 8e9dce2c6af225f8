"""`inrvid recipe validate` checks components against each other, located and both named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import RecipeError, load_recipe

RECIPE = """\
name: cross
data: {kind: moving_shapes, resolution: 16, clip_frames: 8, videos: 8}
sampler: {kind: uniform_pairs, frames: 3}
encoder: {kind: digan_fourier_xyt, features: 8}
generator: {kind: digan, content_dim: 8, motion_dim: 8, w_dim: 8, channel_base: 64}
discriminators:
  image: {kind: digan_image_d, channel_base: 64, channel_max: 8}
  motion: {kind: digan_motion_d, channel_base: 64, channel_max: 8}
losses:
  adversarial: {kind: nonsaturating_logistic, roles: [image, motoin]}
"""
MOTOIN = RECIPE.splitlines()[9].index("motoin") + 1  # the column of the misspelt role


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cross.yaml"
    path.write_text(text)
    return path


def problems_of(path: Path) -> dict[str, str]:
    with pytest.raises(RecipeError) as info:
        load_recipe(path, plugins=load_plugins())
    return {p.path: p.render(with_snippet=False) for p in info.value.problems}


def test_a_sampler_showing_three_frames_to_a_motion_d_taking_two_fails_naming_both(tmp_path):
    path = write(tmp_path, RECIPE.replace("roles: [image, motoin]", "roles: [image]"))
    found = problems_of(path)
    assert list(found) == ["sampler.kind"]
    text = found["sampler.kind"]
    assert text.startswith(
        f"{path}:3:11: sampler.kind: sampler 'uniform_pairs' shows 3 frames per video, but "
        "discriminator discriminators.motion (digan_motion_d) takes exactly 2"
    ), text
    assert f"discriminators.motion is at {path}:8:3" in text


def test_a_loss_naming_a_missing_discriminator_role_fails_with_a_suggestion(tmp_path):
    path = write(tmp_path, RECIPE.replace("frames: 3", "frames: 2"))
    found = problems_of(path)
    assert list(found) == ["losses.adversarial.roles"]
    text = found["losses.adversarial.roles"]
    assert text.startswith(
        f"{path}:10:{MOTOIN}: losses.adversarial.roles: loss losses.adversarial "
        "(nonsaturating_logistic) names discriminator role 'motoin', which this recipe does "
        "not have"
    ), text
    assert "did you mean 'motion'? the recipe's discriminator roles are: image, motion" in text


def test_the_cli_reports_both_cross_problems_at_once_with_exit_status_2(tmp_path):
    path = write(tmp_path, RECIPE)
    result = subprocess.run(
        [sys.executable, "-m", "inrvid", "recipe", "validate", str(path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2, result.stderr
    assert f"{path}:3:11: sampler.kind: sampler 'uniform_pairs' shows 3" in result.stderr
    assert f"{path}:10:{MOTOIN}: losses.adversarial.roles:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_recipe_whose_components_agree_validates(tmp_path):
    path = write(tmp_path, RECIPE.replace("frames: 3", "frames: 2").replace("motoin", "motion"))
    assert load_recipe(path, plugins=load_plugins()).sampler.component.name == "uniform_pairs"
