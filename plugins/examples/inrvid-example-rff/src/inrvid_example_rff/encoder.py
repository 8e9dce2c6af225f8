"""Random Fourier features with fixed Gaussian frequencies (no per-video conditioning)."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import Tensor

from inrvid import BuildContext
from inrvid.base.tensor import expect_shape
from inrvid.components.encoder import CoordinateEncoder, EncoderConfig


class GaussianRFFConfig(EncoderConfig):
    """Options of `example_gaussian_rff`."""

    features: int = Field(
        256, gt=0, multiple_of=2, description="output features: sin half + cos half"
    )
    sigma_xy: float = Field(10.0, gt=0, description="std of the x and y frequencies")
    sigma_t: float = Field(0.5, gt=0, description="std of the t frequency; keep it small")


class GaussianRFF(CoordinateEncoder):
    """[sin(2π c·B), cos(2π c·B)] for coordinates c = (x, y, t) and a fixed matrix B `3 k`."""

    def __init__(self, cfg: GaussianRFFConfig, ctx: BuildContext) -> None:
        super().__init__()
        scale = torch.tensor([cfg.sigma_xy, cfg.sigma_xy, cfg.sigma_t])
        gen = torch.Generator().manual_seed(ctx.seed)
        freqs = torch.randn(3, cfg.features // 2, generator=gen) * scale[:, None]  # 3 k
        self.freqs: Tensor
        self.register_buffer("freqs", freqs)
        self.out_features = cfg.features

    def forward(self, coords: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
        """Encode `b n 3` coordinates; style and z_motion are ignored (fixed frequencies)."""
        del style, z_motion
        expect_shape(coords, "b n i", i=3)
        phase = 2 * torch.pi * coords @ self.freqs  # b n 3 @ 3 k -> b n k
        return torch.cat([phase.sin(), phase.cos()], dim=-1)  # b n (2 k)
