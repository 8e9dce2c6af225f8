"""The DIGAN recipes: each validates, builds, trains one tiny step, and each ablation differs
from the reference recipe exactly as its comment says (docs/reference/digan.md §6)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from inrvid.components.generator import class_keywords, draw_classes
from inrvid.components.loss import PhaseInputs
from inrvid.components.registry import VideoSpec
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import Recipe, load_recipe
from inrvid.runtime.build import build_models

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "recipes" / "digan_ucf.yaml"
DATASET_RECIPES = sorted((REPO / "recipes").glob("digan_*.yaml"))
# digan_ucf_3d_d swaps in another plug-in's discriminator and sampler: tests/stylegan_v covers it.
ABLATIONS = sorted(p for p in (REPO / "recipes" / "ablations").glob("*.yaml")
                   if p.stem != "digan_ucf_3d_d")


def tiny_overrides(recipe: Recipe) -> list[str]:
    """Overrides that shrink every network of `recipe` to a few kB (16x16, 4 frames)."""
    out = ["data.resolution=16", "data.clip_frames=4", "encoder.features=8",
           "generator.content_dim=16", "generator.w_dim=16", "generator.channel_base=256",
           "generator.channel_max=16", "generator.input_resolution=4", "generator.fmm_rank=3"]
    if recipe.generator.config.motion_dim > 0:
        out.append("generator.motion_dim=8")
    for role in recipe.discriminators:
        out += [f"discriminators.{role}.channel_base=128", f"discriminators.{role}.channel_max=16"]
    return out


def tiny(path: Path) -> Recipe:
    return load_recipe(path, tiny_overrides(load_recipe(path, plugins=load_plugins())), plugins=load_plugins())


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: tree}


def differences(path: Path) -> dict[str, tuple[Any, Any]]:
    """Dotted keys whose resolved value differs from the reference recipe (name excluded)."""
    ref, other = flatten(load_recipe(REFERENCE, plugins=load_plugins()).resolved()), flatten(load_recipe(path, plugins=load_plugins()).resolved())
    keys = (set(ref) | set(other)) - {"name", "description"}
    return {k: (ref.get(k), other.get(k)) for k in sorted(keys) if ref.get(k) != other.get(k)}


@pytest.mark.parametrize("path", DATASET_RECIPES + ABLATIONS, ids=lambda p: p.stem)
def test_recipe_validates_with_the_dataset_root_set_on_the_command_line(path: Path) -> None:
    recipe = load_recipe(path, ["data.root=/datasets/somewhere"], plugins=load_plugins())
    assert recipe.data.config.root == "/datasets/somewhere"
    assert recipe.generator.component.origin.entry_point == "digan"


@pytest.mark.parametrize("path", DATASET_RECIPES, ids=lambda p: p.stem)
def test_dataset_recipes_keep_the_release_training_values(path: Path) -> None:
    recipe = load_recipe(path, plugins=load_plugins())
    train = recipe.train
    assert (train.batch_size, train.duration_kimg, train.g_lr, train.d_lr) == (64, 25000, 0.0025,
                                                                                0.0025)
    assert tuple(train.betas) == (0.0, 0.99)
    assert (train.ema_kimg, train.ema_rampup, train.g_reg_interval) == (20, 0.05, 4)
    assert recipe.losses["r1"].config.gamma == 1.0 and recipe.losses["r1"].config.every == 16
    assert [s.component.name for s in recipe.augment] == ["diffaug_color", "diffaug_translation"]
    assert recipe.augment[1].config.ratio == 0.125
    assert recipe.data.config.hflip and recipe.data.config.resolution == 128
    assert recipe.sampler.component.name == "digan_beta_pairs"


def test_the_ucf_recipe_trains_on_train_plus_test_with_every_window() -> None:
    data = load_recipe(REFERENCE, plugins=load_plugins()).data.config
    assert list(data.splits) == ["trainlist01", "testlist01"]
    assert (data.clip_step, data.clip_frames) == (1, 16)


@pytest.mark.parametrize("path", DATASET_RECIPES + ABLATIONS, ids=lambda p: p.stem)
def test_recipe_builds_and_runs_a_tiny_generator_discriminator_and_r1_step(path: Path) -> None:
    recipe = tiny(path)
    video = VideoSpec(frames=recipe.data.config.clip_frames, height=16, width=16)
    models = build_models(recipe, video, torch.device("cpu"), load_plugins())
    gen, discs = models.generator, models.discriminators
    rng = torch.Generator().manual_seed(0)
    z_content, z_motion = gen.sample_latents(2, rng)
    times = models.sampler.sample_fake(2, rng)
    classes = draw_classes(gen, 2, rng)  # a conditional recipe's; None otherwise
    fake = gen(z_content, z_motion, times, **class_keywords(gen, classes))
    assert fake.shape == (2, 2, 3, 16, 16)

    def inputs(network: str, fake_frames: Any, real: bool, with_fakes: bool = True) -> PhaseInputs:
        return PhaseInputs(network=network, step=0,
                           fake_frames=fake_frames if with_fakes else None,
                           fake_times=times if with_fakes else None,
                           real_frames=torch.rand(2, 2, 3, 16, 16) * 2 - 1 if real else None,
                           real_times=torch.tensor([[0.0, 0.2], [0.4, 1.0]]) if real else None,
                           discriminators=discs, augment=models.augment,
                           fake_classes=classes, real_classes=classes)

    main = [loss for loss in models.losses.values() if loss.lazy_interval is None]
    lazy = [loss for loss in models.losses.values() if loss.lazy_interval is not None]
    g_loss = sum(t for loss in main for t in loss.generator_terms(inputs("generator", fake, False)).values())
    g_loss.backward()
    assert all(p.grad is not None for p in gen.mapping.parameters())
    d_loss = sum(t for loss in main
                 for t in loss.discriminator_terms(inputs("discriminator", fake.detach(), True)).values())
    r1 = sum(t for loss in lazy
             for t in loss.discriminator_terms(inputs("discriminator", None, True, False)).values())
    (d_loss + r1).backward()
    for disc in discs.values():
        grads = [p.grad for p in disc.parameters()]
        assert all(g is not None and torch.isfinite(g).all() for g in grads)


EXPECTED_DIFFERENCES = {
    "digan_ucf_no_motion": {"generator.kind": ("digan", "digan_no_motion"),
                            "generator.motion_dim": (512, 0)},
    "digan_ucf_no_motion_mlp": {"encoder.kind": ("digan_fourier_xyt", "digan_fourier_xyt_no_fm"),
                                "encoder.motion_slope": (0.01, None)},
    "digan_ucf_sigma_t_eq_sigma_x": {"encoder.sigma_t": (0.25, math.sqrt(10))},
    "digan_ucf_no_dt": {"discriminators.motion.kind": ("digan_motion_d", "digan_motion_d_no_dt")},
    "digan_ucf_single_scale": {"generator.kind": ("digan", "digan_single_scale")},
    "digan_ucf_matched_dt": {"sampler.kind": ("digan_beta_pairs", "digan_beta_pairs_matched")},
    "digan_ucf_per_d_augment": {
        "losses.adversarial.augment_draw": ("shared", "per_discriminator"),
        "losses.r1.augment_draw": ("shared", "per_discriminator"),
    },
}


@pytest.mark.parametrize("path", ABLATIONS, ids=lambda p: p.stem)
def test_ablation_differs_from_the_reference_exactly_as_documented(path: Path) -> None:
    found = differences(path)
    if path.stem in ("digan_ucf_image_d_only", "digan_ucf_motion_d_only"):
        dropped = "motion" if path.stem == "digan_ucf_image_d_only" else "image"
        assert found
        assert all(k.startswith(f"discriminators.{dropped}.") and v[1] is None
                   for k, v in found.items())
        assert set(load_recipe(path, plugins=load_plugins()).discriminators) == {"image", "motion"} - {dropped}
        return
    expected = EXPECTED_DIFFERENCES[path.stem]
    assert set(found) == set(expected)
    for key, (before, after) in expected.items():
        assert found[key][0] == before
        if isinstance(after, float):
            assert found[key][1] == pytest.approx(after)
        else:
            assert found[key][1] == after


def built(path: Path) -> Any:
    recipe = tiny(path)
    return build_models(recipe, VideoSpec(frames=4, height=16, width=16), torch.device("cpu"), load_plugins())


def test_no_motion_time_heads_see_w_only_and_the_generator_has_no_motion_latent() -> None:
    models = built(REPO / "recipes" / "ablations" / "digan_ucf_no_motion.yaml")
    assert models.generator.motion_dim == 0
    assert models.generator.sample_latents(2)[1] is None
    assert [e.time_head.in_features for e in models.generator.embedders] == [16, 16, 16]
    reference = built(REFERENCE)
    assert [e.time_head.in_features for e in reference.generator.embedders] == [24, 24, 24]


def test_no_motion_mlp_has_no_f_m_parameters_anywhere() -> None:
    models = built(REPO / "recipes" / "ablations" / "digan_ucf_no_motion_mlp.yaml")
    assert all(e.motion_mlp is None for e in models.generator.embedders)
    assert not any("motion_mlp" in n for n, _ in models.generator.named_parameters())


def test_sigma_t_override_changes_only_sigma_t_of_every_embedder() -> None:
    models = built(REPO / "recipes" / "ablations" / "digan_ucf_sigma_t_eq_sigma_x.yaml")
    reference = built(REFERENCE)
    assert [e.sigma_t for e in models.generator.embedders] == [pytest.approx(math.sqrt(10))] * 3
    assert [e.sigma_t for e in reference.generator.embedders] == [0.25] * 3
    same = zip(models.generator.state_dict().items(), reference.generator.state_dict().items(),
               strict=True)
    assert all(ka == kb and torch.equal(a, b) for (ka, a), (kb, b) in same)


def test_no_dt_motion_discriminator_takes_six_channels() -> None:
    models = built(REPO / "recipes" / "ablations" / "digan_ucf_no_dt.yaml")
    assert models.discriminators["motion"].in_channels == 6
    assert built(REFERENCE).discriminators["motion"].in_channels == 7


def test_single_scale_generator_embeds_coordinates_once() -> None:
    models = built(REPO / "recipes" / "ablations" / "digan_ucf_single_scale.yaml")
    assert len(models.generator.embedders) == 1
    assert len(built(REFERENCE).generator.embedders) == 3
