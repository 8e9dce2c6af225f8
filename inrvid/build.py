"""Build every component of a recipe, in the documented order, from the loaded registries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn

from inrvid.augment import Augment, build_augment
from inrvid.dataset import VideoDataset, build_dataset
from inrvid.discriminator import Discriminator, build_discriminator
from inrvid.encoder import CoordinateEncoder, build_encoder
from inrvid.generator import Generator, build_generator
from inrvid.loss import Loss, build_loss
from inrvid.metric import Metric, build_metric
from inrvid.recipe import Recipe
from inrvid.registry import BuildContext, VideoSpec
from inrvid.sampler import TimeSampler, build_sampler


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

    def make_encoder(ctx: BuildContext) -> CoordinateEncoder:
        return build_encoder(recipe.encoder, ctx)

    return BuildContext(video=video, device=device, seed=recipe.seed, encoder_builder=make_encoder)


def build_dataset_of(recipe: Recipe) -> VideoDataset:
    """The recipe's dataset (it alone knows the video shape)."""
    return build_dataset(recipe.data, context_for(recipe, None, torch.device("cpu")))


def video_spec_of(recipe: Recipe, dataset: VideoDataset | None = None) -> VideoSpec:
    """The video spec of a recipe: from its dataset (built if not given)."""
    return (dataset or build_dataset_of(recipe)).video_spec


def build_models(recipe: Recipe, video: VideoSpec, device: torch.device) -> Models:
    """Build augments, sampler, generator (with its encoders), discriminators and losses."""
    ctx = context_for(recipe, video, device)
    torch.manual_seed(recipe.seed)  # parameter initialisation is reproducible per recipe
    augment = AugmentPipeline([build_augment(s, ctx) for s in recipe.augment])
    sampler = build_sampler(recipe.sampler, ctx)
    generator = build_generator(recipe.generator, ctx)
    discriminators = {
        role: build_discriminator(s, replace(ctx, seed=ctx.seed + 1 + i))
        for i, (role, s) in enumerate(recipe.discriminators.items())
    }
    losses = {role: build_loss(s, ctx).to(device) for role, s in recipe.losses.items()}
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
