"""The `augment` registry: differentiable augmentations shared by all frames of a video."""

from __future__ import annotations

from torch import Tensor, nn

from inrvid.components.registry import ComponentConfig


class AugmentConfig(ComponentConfig):
    """Fields every augment has (none yet)."""


class Augment(nn.Module):
    """`forward(frames b t c h w) -> b t c h w`, differentiable, in [-1, 1] units.

    One random draw per video, shared by all its frames, so a pair stays a pair. The loop
    applies the recipe's augments in order to real and generated frames alike, and never to
    anything else (e.g. a Δt plane a discriminator builds itself).
    """

    def forward(self, frames: Tensor) -> Tensor:
        """Augment `b t c h w` frames."""
        raise NotImplementedError
