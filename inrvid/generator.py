"""The `generator` registry: latents and times in, video frames out."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import Tensor, nn

from inrvid.registry import BuildContext, ComponentConfig, Registry, Section


class GeneratorConfig(ComponentConfig):
    """Fields every generator has."""

    content_dim: int = Field(512, gt=0, description="size of the content latent z_content")
    motion_dim: int = Field(512, ge=0, description="size of the motion latent z_motion; 0: none")


class Generator(nn.Module):
    """A video generator: `z_content b d_c`, `z_motion b d_m` (or None), `times b t` -> frames.

    `forward(z_content, z_motion, times, scale=1)` returns frames `b t c h w`, unbounded
    (clamp to [-1, 1] for saving), with h = video.height * scale and w = video.width * scale.
    Times are any real numbers: [0, 1] spans the training clip; outside it extrapolates.
    `scale` renders a denser grid over the same field of view (super-resolution).
    A generator never assumes a number of frames: frames are independent given the latents,
    so callers may render long videos in chunks of times (see `inrvid.generate`).
    `motion_dim` is 0 for a generator without a motion latent; it then ignores `z_motion`.
    """

    content_dim: int
    motion_dim: int

    def forward(
        self, z_content: Tensor, z_motion: Tensor | None, times: Tensor, scale: int = 1
    ) -> Tensor:
        """Render frames `b t c h w` at `times b t`."""
        raise NotImplementedError

    def sample_latents(
        self, batch: int, generator: torch.Generator | None = None
    ) -> tuple[Tensor, Tensor | None]:
        """Standard normal latents `(b d_c, b d_m or None)` on this module's device."""
        device = next(self.parameters()).device
        z_content = torch.randn(batch, self.content_dim, generator=generator).to(device)
        if self.motion_dim == 0:
            return z_content, None
        z_motion = torch.randn(batch, self.motion_dim, generator=generator).to(device)
        return z_content, z_motion


GENERATORS: Registry[Generator] = Registry("generator", returns=Generator)


def build_generator(section: Section[Generator], ctx: BuildContext) -> Generator:
    """Build the recipe's generator; its encoders come from `ctx.make_encoder`."""
    return GENERATORS.build(section.component, section.config, ctx)
