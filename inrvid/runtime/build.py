"""Build every component of a recipe, in the documented order, from the loaded registries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

from inrvid.base.streams import seeded
from inrvid.components.augment import Augment, build_augment
from inrvid.components.dataset import VideoDataset, build_dataset
from inrvid.components.discriminator import Discriminator, build_discriminator
from inrvid.components.encoder import CoordinateEncoder, build_encoder
from inrvid.components.generator import Generator, build_generator
from inrvid.components.loss import Loss, build_loss
from inrvid.components.metric import Metric, build_metric
from inrvid.components.registry import BuildContext, Section, VideoSpec
from inrvid.components.sampler import TimeSampler, build_sampler
from inrvid.recipe import Recipe

T = TypeVar("T")


class AugmentPipeline(nn.Module):
    """The recipe's augments applied in order to `b t c h w` frames (identity when empty)."""

    def __init__(self, augments: list[Augment]) -> None:
        super().__init__()
        self.augments = nn.ModuleList(augments)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Augment frames, one draw per video per augment."""
        for augment in self.augments:
            frames = augment(frames)
        return frames


@dataclass
class Models:
    """The networks of a run and what builds them (no dataset)."""

    video: VideoSpec
    generator: Generator
    discriminators: dict[str, Discriminator]
    losses: dict[str, Loss]
    loss_weights: dict[str, float]
    augment: AugmentPipeline
    sampler: TimeSampler


def context_for(recipe: Recipe, video: VideoSpec | None, device: torch.device) -> BuildContext:
    """The build context of a recipe: its seed, device, video spec and encoder section."""
    return generator_context(recipe.seed, video, device, recipe.encoder)


def generator_context(
    seed: int,
    video: VideoSpec | None,
    device: torch.device,
    encoder: Section[CoordinateEncoder] | None,
) -> BuildContext:
    """A build context whose `make_encoder` builds `encoder` (None: a generator without one)."""
    if encoder is None:
        return BuildContext(video=video, device=device, seed=seed)
    section = encoder

    def make_encoder(ctx: BuildContext) -> CoordinateEncoder:
        return build_encoder(section, ctx)

    return BuildContext(video=video, device=device, seed=seed, encoder_builder=make_encoder)


def build_on_stream(
    build: Callable[[Section[Any], BuildContext], T], section: Section[Any], ctx: BuildContext
) -> T:
    """Build `section` on its own random stream `init/<section path>` (`inrvid.base.streams`)."""
    own = ctx.substream(f"init/{section.path}")
    with seeded(own.seed):
        return build(section, own)


def build_dataset_of(recipe: Recipe) -> VideoDataset:
    """The recipe's dataset (it alone knows the video shape)."""
    return build_dataset(recipe.data, context_for(recipe, None, torch.device("cpu")))


def video_spec_of(recipe: Recipe, dataset: VideoDataset | None = None) -> VideoSpec:
    """The video spec of a recipe: from its dataset (built if not given)."""
    return (dataset or build_dataset_of(recipe)).video_spec


def build_models(recipe: Recipe, video: VideoSpec, device: torch.device) -> Models:
    """Build augments, sampler, generator (with its encoders), discriminators and losses.

    Each component is built on its own random stream `init/<section path>` (`inrvid.base.streams`):
    its `ctx.seed` is that stream and torch's CPU generator is seeded with it meanwhile, so no
    two components share initial draws and changing one leaves the others' weights unchanged.
    """
    ctx = context_for(recipe, video, device)

    def built(build: Callable[[Section[Any], BuildContext], T], section: Section[Any]) -> T:
        return build_on_stream(build, section, ctx)

    augment = AugmentPipeline([built(build_augment, s) for s in recipe.augment])
    sampler = built(build_sampler, recipe.sampler)
    generator = built(build_generator, recipe.generator)
    discriminators = {
        role: built(build_discriminator, s) for role, s in recipe.discriminators.items()
    }
    losses = {role: built(build_loss, s).to(device) for role, s in recipe.losses.items()}
    weights = {role: float(getattr(s.config, "weight", 1.0)) for role, s in recipe.losses.items()}
    return Models(
        video=video,
        generator=generator.to(device),
        discriminators={r: d.to(device) for r, d in discriminators.items()},
        losses=losses,
        loss_weights=weights,
        augment=augment.to(device),
        sampler=sampler,
    )


def build_metrics(recipe: Recipe, video: VideoSpec, device: torch.device) -> dict[str, Metric]:
    """The recipe's `eval.metrics`, by role."""
    ctx = context_for(recipe, video, device)
    return {role: build_metric(s, ctx) for role, s in recipe.metrics.items()}


def count_parameters(module: nn.Module) -> int:
    """Number of parameters (buffers excluded)."""
    return sum(p.numel() for p in module.parameters())


def describe_models(models: Models) -> dict[str, Any]:
    """Parameter counts by network, for run-info.json."""
    return {
        "generator": count_parameters(models.generator),
        **{f"discriminator.{r}": count_parameters(d) for r, d in models.discriminators.items()},
    }
