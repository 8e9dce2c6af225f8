"""A generator declares whether it needs a coordinate encoder; a recipe for one that needs none
has no `encoder:` section, validates, trains and loads back from its checkpoint."""

from __future__ import annotations

import pytest
import torch

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.recipe.errors import RecipeError
from inrvid.runtime import checkpoint as ckpt
from tests.conftest import TOY_RECIPE

PLAIN_RECIPE = TOY_RECIPE.replace("encoder: {kind: toy_encoder, features: 8}\n", "").replace(
    "generator: {kind: toy_generator, hidden: 8}", "generator: {kind: plain_generator, hidden: 8}"
)
FAST = ["train.duration_kimg=0.012", "train.num_workers=0", "train.sample_videos=1",
        "train.sample_frames=2", "train.checkpoint_every_kimg=0.004", "train.log_every_kimg=0.004"]


@pytest.fixture
def plugins(load_fixture_plugins):
    load_fixture_plugins("toy", "no_encoder")


def test_a_recipe_without_encoder_validates_trains_and_reloads_for_a_generator_that_needs_none(
    plugins, tmp_path
):
    from inrvid.train.loop import train

    assert "encoder" not in PLAIN_RECIPE
    path = tmp_path / "plain.yaml"
    path.write_text(PLAIN_RECIPE + f"output: {{dir: {tmp_path / 'runs'}}}\n")
    recipe = load_recipe(path, FAST, plugins=load_plugins())
    assert recipe.encoder is None and "encoder" not in recipe.resolved()
    run_dir = train(recipe, load_plugins(), argv=[], quiet=True)
    checkpoint = ckpt.load(run_dir)
    assert checkpoint.step == 3 and checkpoint.encoder is None
    generator = ckpt.load_generator(checkpoint, load_plugins())
    assert torch.equal(generator.net[0].weight, checkpoint.generator_ema["net.0.weight"])
    z_content, z_motion = generator.sample_latents(2)
    assert generator(z_content, z_motion, torch.rand(2, 3)).shape == (2, 3, 3, 8, 8)


def test_a_generator_that_needs_an_encoder_gets_a_located_error_without_the_section(
    plugins, tmp_path
):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_RECIPE.replace("encoder: {kind: toy_encoder, features: 8}\n", ""))
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, plugins=load_plugins())
    message = str(caught.value)
    assert "encoder" in message
    assert "required but missing: generator 'toy_generator' embeds coordinates with it" in message


def test_an_encoder_section_for_a_generator_that_uses_none_is_refused_not_ignored(
    plugins, tmp_path
):
    path = tmp_path / "plain.yaml"
    path.write_text(PLAIN_RECIPE + "encoder: {kind: toy_encoder, features: 8}\n")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, plugins=load_plugins())
    message = str(caught.value)
    assert "generator 'plain_generator' uses no coordinate encoder" in message
    assert "remove the `encoder:` section" in message
