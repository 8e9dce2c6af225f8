"""The `discriminator` registry: frames and their times in, logits out."""

from __future__ import annotations

from torch import Tensor, nn

from inrvid.registry import BuildContext, ComponentConfig, Registry, Section


class DiscriminatorConfig(ComponentConfig):
    """Fields every discriminator has (none yet)."""


class Discriminator(nn.Module):
    """Scores frames: `forward(frames b t c h w, times b t) -> logits b k`.

    Frames are in [-1, 1] (already augmented by the loop), times sorted per video.
    k is the number of scores per video: t for a per-frame image discriminator, 1 for a
    discriminator that sees the frames together (a motion D with its Δt plane, a 3D conv D).
    A discriminator may declare `frames_seen` (how many frames it takes; None: any).
    """

    frames_seen: int | None = None

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        """Logits `b k` for frames `b t c h w` at times `b t`."""
        raise NotImplementedError


DISCRIMINATORS: Registry[Discriminator] = Registry("discriminator", returns=Discriminator)


def build_discriminator(section: Section[Discriminator], ctx: BuildContext) -> Discriminator:
    """Build one discriminator role of the recipe."""
    return DISCRIMINATORS.build(section.component, section.config, ctx)
