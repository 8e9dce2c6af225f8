"""A generator that declares no coordinate encoder (its recipe has no `encoder:` section)."""

from __future__ import annotations

import torch
from einops import rearrange
from pydantic import Field
from torch import Tensor, nn

from inrvid import BuildContext, hookimpl
from inrvid.components.generator import Generator, GeneratorConfig

INRVID_API = "1.0"


class PlainGeneratorConfig(GeneratorConfig):
    content_dim: int = Field(4, gt=0, description="content latent size")
    motion_dim: int = Field(0, ge=0, description="motion latent size")
    hidden: int = Field(8, gt=0, description="hidden width")


class PlainGenerator(Generator):
    """Raw (x, y, t) and z_content through a two-layer MLP at each pixel: no encoder."""

    needs_encoder = False

    def __init__(self, cfg: PlainGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.content_dim, self.motion_dim, self.video = cfg.content_dim, cfg.motion_dim, ctx.require_video()
        self.net = nn.Sequential(nn.Linear(3 + cfg.content_dim, cfg.hidden), nn.Tanh(), nn.Linear(cfg.hidden, 3))

    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor, scale: int = 1) -> Tensor:
        b, t = times.shape
        h, w = self.video.height * scale, self.video.width * scale
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
        grid = torch.stack([xs.expand(b, t, h, w), ys.expand(b, t, h, w),
                            times[:, :, None, None].expand(b, t, h, w)], dim=-1)     # b t h w 3
        z = z_content[:, None, None, None, :].expand(b, t, h, w, -1)                 # b t h w d
        rgb = self.net(torch.cat([grid, z], dim=-1))                                 # b t h w 3
        return rearrange(rgb, "b t h w c -> b t c h w")


class MappingNotStyleGenerator(PlainGenerator):
    """Has an attribute named `mapping` that has nothing to do with a style vector."""

    def __init__(self, cfg: PlainGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__(cfg, ctx)
        self.mapping = nn.Identity()
        self.w_dim = 3


@hookimpl
def inrvid_register_components(registrar) -> None:
    registrar.generator("plain_generator", PlainGeneratorConfig, PlainGenerator,
                        summary="per-pixel MLP on raw coordinates, no encoder")
    registrar.generator("mapping_not_style", PlainGeneratorConfig, MappingNotStyleGenerator,
                        summary="an unrelated `mapping` attribute")
