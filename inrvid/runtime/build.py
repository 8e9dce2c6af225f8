"""Build every component of a recipe, in the documented order, each on its own random stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

from inrvid.base.streams import seeded
from inrvid.components.augment import Augment
from inrvid.components.dataset import VideoDataset
from inrvid.components.discriminator import Discriminator
from inrvid.components.encoder import CoordinateEncoder, EncoderContext
from inrvid.components.generator import Generator, GeneratorContext
from inrvid.components.loss import Loss
from inrvid.components.metric import Metric
from inrvid.components.registry import BuildContext, HookCaller, Section, VideoSpec
from inrvid.components.sampler import TimeSampler
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


def context_for(
    recipe: Recipe, video: VideoSpec | None, device: torch.device, plugins: HookCaller | None
) -> BuildContext:
    """The build context of a recipe's components: its seed, device, video spec, plug-ins."""
    return BuildContext(video=video, device=device, seed=recipe.seed, plugins=plugins)


def generator_context(
    ctx: BuildContext, encoder: Section[CoordinateEncoder] | None
) -> GeneratorContext:
    """`ctx` for a generator, whose `make_encoder` builds `encoder` (None: it needs none)."""
    if encoder is None:
        return GeneratorContext(video=ctx.video, device=ctx.device, seed=ctx.seed,
                                plugins=ctx.plugins)
    section = encoder

    def make_encoder(encoder_ctx: EncoderContext) -> CoordinateEncoder:
        return section.build(encoder_ctx)

    return GeneratorContext(video=ctx.video, device=ctx.device, seed=ctx.seed,
                            plugins=ctx.plugins, encoder=make_encoder)


def build_on_stream(section: Section[T], ctx: BuildContext) -> T:
    """Build `section` on its own random stream `init/<section path>` (`inrvid.base.streams`)."""
    own = ctx.substream(f"init/{section.path}")
    with seeded(own.seed):
        return section.build(own)


def build_generator(recipe: Recipe, ctx: BuildContext) -> Generator:
    """The recipe's generator, on its own stream, with its encoders from the `encoder` section."""
    return build_on_stream(recipe.generator, generator_context(ctx, recipe.encoder))


def build_dataset_of(recipe: Recipe, plugins: HookCaller | None) -> VideoDataset:
    """The recipe's dataset (it alone knows the video shape)."""
    return recipe.data.build(context_for(recipe, None, torch.device("cpu"), plugins))


def video_spec_of(
    recipe: Recipe, plugins: HookCaller | None, dataset: VideoDataset | None = None
) -> VideoSpec:
    """The video spec of a recipe: from its dataset (built if not given)."""
    return (dataset or build_dataset_of(recipe, plugins)).video_spec


def build_models(
    recipe: Recipe, video: VideoSpec, device: torch.device, plugins: HookCaller | None
) -> Models:
    """Build augments, sampler, generator (with its encoders), discriminators and losses.

    Each component is built on its own random stream `init/<section path>` (`inrvid.base.streams`):
    its `ctx.seed` is that stream and torch's CPU generator is seeded with it meanwhile, so no
    two components share initial draws and changing one leaves the others' weights unchanged.
    """
    ctx = context_for(recipe, video, device, plugins)

    def built(section: Section[T]) -> T:
        return build_on_stream(section, ctx)

    augment = AugmentPipeline([built(s) for s in recipe.augment])
    sampler: TimeSampler = built(recipe.sampler)
    generator = build_generator(recipe, ctx)
    discriminators: dict[str, Discriminator] = {
        role: built(s) for role, s in recipe.discriminators.items()
    }
    losses: dict[str, Loss] = {role: built(s).to(device) for role, s in recipe.losses.items()}
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


def build_metrics(
    recipe: Recipe, video: VideoSpec, device: torch.device, plugins: HookCaller | None
) -> dict[str, Metric]:
    """The recipe's `eval.metrics`, by role."""
    ctx = context_for(recipe, video, device, plugins)
    return {role: s.build(ctx) for role, s in recipe.metrics.items()}


def count_parameters(module: nn.Module) -> int:
    """Number of parameters (buffers excluded)."""
    return sum(p.numel() for p in module.parameters())


def describe_models(models: Models) -> dict[str, Any]:
    """Parameter counts by network, for run-info.json."""
    return {
        "generator": count_parameters(models.generator),
        **{f"discriminator.{r}": count_parameters(d) for r, d in models.discriminators.items()},
    }
