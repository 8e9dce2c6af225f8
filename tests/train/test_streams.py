"""Independent random streams (issue 13.4): no two components' initial weights, and not the
step-0 latents, come from the same stream; changing one component leaves the others alone."""

from __future__ import annotations

import itertools

import torch

from inrvid.base.streams import stream_seed
from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import Recipe, load_recipe
from inrvid.runtime.build import build_models
from inrvid.train.distributed import DistInfo
from inrvid.train.loop import Trainer
from tests.conftest import REPO

QUICKSTART = REPO / "recipes" / "quickstart.yaml"
VIDEO = VideoSpec(frames=16, height=32, width=32)
CPU = torch.device("cpu")


def recipe(*overrides: str) -> Recipe:
    return load_recipe(QUICKSTART, ["data.videos=4", *overrides], plugins=load_plugins())


def initial_draws(models: object) -> dict[str, torch.Tensor]:
    """The N(0, 1) draws behind some initial weights of every network (stored unscaled)."""
    g = models.generator  # type: ignore[attr-defined]
    draws = {
        "mapping.0": g.mapping.layers[0].weight * g.mapping.layers[0].lr_multiplier,
        "body.0": g.blocks[0].layers[0].weight,
        "body.last": g.blocks[-1].layers[-1].weight,
    }
    for i, encoder in enumerate(g.embedders):
        draws[f"encoder{i}.spatial"] = encoder.spatial_head.weight
        draws[f"encoder{i}.time"] = encoder.time_head.weight
    for role, disc in models.discriminators.items():  # type: ignore[attr-defined]
        draws[f"{role}_d.from_rgb"] = disc.trunk.blocks[0].from_rgb.weight
        draws[f"{role}_d.conv0"] = disc.trunk.blocks[0].conv0.weight
    return {k: v.detach().flatten() for k, v in draws.items()}


def correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    n = min(a.numel(), b.numel())
    return float(torch.corrcoef(torch.stack([a[:n], b[:n]]))[0, 1])


def test_initial_weights_and_step_zero_latents_share_no_stream() -> None:
    """Aligned entries of any two weight draws (and of the step-0 latents) are uncorrelated:
    with one shared stream they would be equal (correlation 1)."""
    trainer = Trainer(recipe(), DistInfo(rank=0, world_size=1, local_rank=0, device=CPU), load_plugins())
    draws = initial_draws(trainer.models)
    z_content, z_motion, _ = trainer.draw_fake()
    draws["latents.content"] = z_content.flatten()
    assert z_motion is not None
    draws["latents.motion"] = z_motion.flatten()
    for (name_a, a), (name_b, b) in itertools.combinations(draws.items(), 2):
        n = min(a.numel(), b.numel())
        assert abs(correlation(a, b)) < 5 / n**0.5, (name_a, name_b, correlation(a, b))


def test_changing_one_component_leaves_the_others_initial_weights_unchanged() -> None:
    """A wider motion D, or no motion D at all, does not move G's or the image D's weights."""
    reference = initial_draws(build_models(recipe(), VIDEO, CPU, load_plugins()))
    wider = initial_draws(build_models(recipe("discriminators.motion.channel_max=64"), VIDEO, CPU, load_plugins()))
    for name, values in reference.items():
        if not name.startswith("motion_d"):
            assert torch.equal(values, wider[name]), name
    one_d = recipe()
    one_d.discriminators.pop("motion")
    alone = initial_draws(build_models(one_d, VIDEO, CPU, load_plugins()))
    for name, values in alone.items():
        assert torch.equal(values, reference[name]), name


def test_stream_seeds_are_stable_and_distinct() -> None:
    """The documented purposes give distinct 32-bit seeds, the same on every run."""
    purposes = ["init/generator", "init/discriminators.image", "init/discriminators.motion",
                "train/latents", "train/augment/rank0", "train/augment/rank1", "train/data"]
    seeds = [stream_seed(0, p) for p in purposes]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**32 for s in seeds)
    assert stream_seed(0, "train/latents") == stream_seed(0, "train/latents")
    assert stream_seed(0, "train/latents") != stream_seed(1, "train/latents")
    ctx = BuildContext(seed=7)
    assert ctx.with_seed_offset(0).seed != ctx.seed != ctx.with_seed_offset(1).seed
