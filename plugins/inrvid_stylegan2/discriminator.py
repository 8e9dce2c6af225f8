"""StyleGAN2's residual discriminator block, shared by DIGAN's and StyleGAN-V's discriminators."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from inrvid_stylegan2.layers import Conv2dLayer

SQRT_HALF = math.sqrt(0.5)


class DiscriminatorBlock(nn.Module):
    """One resolution: `b c h w -> b c' h/2 w/2` with a residual 1x1 path.

    The first block (in_channels = 0) starts with a 1x1 fromRGB layer (image channels -> tmp).
    conv0 and the skip take `in_channels` (tmp after fromRGB): DIGAN has in = tmp everywhere;
    StyleGAN-V's block after its frame fusion has more (`inrvid_stylegan_v.discriminator`).
    """

    def __init__(
        self,
        *,
        in_channels: int,
        tmp_channels: int,
        out_channels: int,
        image_channels: int,
        conv_clamp: float | None,
    ) -> None:
        super().__init__()
        self.from_rgb = None
        if in_channels == 0:
            self.from_rgb = Conv2dLayer(in_channels=image_channels, out_channels=tmp_channels,
                                        kernel_size=1, activation="lrelu", conv_clamp=conv_clamp)
        first = in_channels or tmp_channels
        self.conv0 = Conv2dLayer(in_channels=first, out_channels=tmp_channels,
                                 kernel_size=3, activation="lrelu", conv_clamp=conv_clamp)
        self.conv1 = Conv2dLayer(in_channels=tmp_channels, out_channels=out_channels,
                                 kernel_size=3, activation="lrelu", down=True,
                                 conv_clamp=conv_clamp)
        self.skip = Conv2dLayer(in_channels=first, out_channels=out_channels,
                                kernel_size=1, bias=False, down=True)
        self.compute_dtype = torch.float32   # set by the run's numerics policy

    def forward(self, x: Tensor) -> Tensor:
        """`b c h w -> b c' h/2 w/2`, computed in `compute_dtype` (weights are cast to it)."""
        x = x.to(self.compute_dtype)
        if self.from_rgb is not None:
            x = self.from_rgb(x)                                                   # b tmp h w
        skip = self.skip(x, gain=SQRT_HALF)                                        # b out h/2 w/2
        x = self.conv1(self.conv0(x), gain=SQRT_HALF)                              # b out h/2 w/2
        return skip + x
