"""The StyleGAN-V recipes and the 3D-discriminator ablation: release values, tiny build + step."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from inrvid.components.loss import PhaseInputs
from inrvid.components.registry import VideoSpec
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.runtime.build import build_models

REPO = Path(__file__).resolve().parents[2]
UCF, SKY = REPO / "recipes" / "stylegan_v_ucf.yaml", REPO / "recipes" / "stylegan_v_sky.yaml"
ABLATION = REPO / "recipes" / "ablations" / "digan_ucf_3d_d.yaml"
TINY_SGV = ["generator.content_dim=16", "generator.motion_dim=8", "generator.w_dim=16",
            "generator.channel_base=128", "generator.channel_max=16",
            "generator.motion_code_dim=8", "generator.time_features=4",
            "discriminators.video.channel_base=128", "discriminators.video.channel_max=16",
            "discriminators.video.fuse_resolution=8", "discriminators.video.gap_table_features=4"]


def test_release_recipes_keep_the_official_training_values() -> None:
    for path in (UCF, SKY):
        recipe = load_recipe(path, ["data.root=/datasets/somewhere"], plugins=load_plugins())
        train = recipe.train
        assert (train.batch_size, train.g_lr, train.d_lr, tuple(train.betas)) == (
            64, 0.0025, 0.0025, (0.0, 0.99))
        assert (train.ema_kimg, train.ema_rampup, train.g_reg_interval) == (20, None, 4)
        assert train.nonfinite == "clean"
        assert train.duration_kimg * 3 == pytest.approx(25000, abs=0.01)   # kimg of frames
        r1 = recipe.losses["r1"]
        assert (r1.component.name, r1.config.gamma, r1.config.every) == ("stylegan_v_r1",
                                                                         0.2048, 16)
        assert recipe.data.config.resolution == 256 and recipe.data.config.hflip
        assert recipe.data.config.clip_frames == 33                       # max span 32 + 1
        assert (recipe.sampler.config.frames, recipe.sampler.config.max_span_frames) == (3, 32)
        assert recipe.encoder is None                                      # no encoder section


def test_sky_changes_only_the_data_the_fake_length_and_the_time_scale_of_ucf() -> None:
    ucf, sky = load_recipe(UCF, plugins=load_plugins()).resolved(), load_recipe(SKY, plugins=load_plugins()).resolved()
    assert {k for k in ucf if ucf[k] != sky[k]} == {"name", "description", "data", "sampler",
                                                    "generator"}
    assert {k for k in ucf["generator"] if ucf["generator"][k] != sky["generator"][k]} == {
        "code_spacing_frames", "min_period_frames"}
    assert sky["generator"]["code_spacing_frames"] == sky["generator"]["min_period_frames"] == 256


@pytest.mark.parametrize("path", [UCF, SKY], ids=lambda p: p.stem)
def test_release_recipe_builds_tiny_and_runs_one_generator_discriminator_and_r1_step(path) -> None:
    recipe = load_recipe(path, ["data.resolution=16", *TINY_SGV], plugins=load_plugins())
    models = build_models(recipe, VideoSpec(frames=33, height=16, width=16), torch.device("cpu"), load_plugins())
    gen, discs = models.generator, models.discriminators
    rng = torch.Generator().manual_seed(0)
    z_content, z_motion = gen.sample_latents(2, rng)
    times = models.sampler.sample_fake(2, rng)
    fake = gen(z_content, z_motion, times)
    assert fake.shape == (2, 3, 3, 16, 16)
    real_idx = models.sampler.sample_real(2, 33, rng)
    real = torch.rand(2, 3, 3, 16, 16) * 2 - 1
    real_t = models.sampler.index_times(real_idx, 33)
    inputs = PhaseInputs(network="discriminator", step=0, fake_frames=fake.detach(),
                         fake_times=times, real_frames=real, real_times=real_t,
                         discriminators=discs, augment=models.augment)
    d_loss = sum(models.losses["adversarial"].discriminator_terms(inputs).values())
    r1 = sum(models.losses["r1"].discriminator_terms(inputs).values())
    (d_loss + r1).backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all()
               for d in discs.values() for p in d.parameters() if p.requires_grad
               and p is not discs["video"].gaps.table.weight)
    assert torch.isfinite(d_loss) and torch.isfinite(r1)


def test_the_3d_d_ablation_replaces_both_2d_discriminators_and_shows_whole_clips() -> None:
    recipe = load_recipe(ABLATION, plugins=load_plugins())
    assert list(recipe.discriminators) == ["video"]
    assert recipe.discriminators["video"].component.name == "conv3d_video_d"
    assert recipe.sampler.component.name == "whole_clip"
    assert recipe.generator.component.name == "digan"
    models = build_models(load_recipe(ABLATION, [
        "data.resolution=16", "encoder.features=8", "generator.content_dim=16",
        "generator.motion_dim=8", "generator.w_dim=16", "generator.channel_base=256",
        "generator.channel_max=16", "generator.input_resolution=4",
        "discriminators.video.channels=[8,8]"], plugins=load_plugins()),
        VideoSpec(frames=16, height=16, width=16), torch.device("cpu"), load_plugins())
    times = models.sampler.sample_fake(2, torch.Generator().manual_seed(0))
    assert times.shape == (2, 16)
    fake = models.generator(*models.generator.sample_latents(2), times)
    assert models.discriminators["video"](fake, times).shape == (2, 1)
