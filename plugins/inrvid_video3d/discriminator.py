"""A 3D-convolution video discriminator over a whole clip, in the style of TGAN and MoCoGAN.

Saito et al. (TGAN, ICCV 2017) and Tulyakov et al. (MoCoGAN, CVPR 2018) score a whole clip
with 3D convolutions; DIGAN (Yu et al., ICLR 2022) argues that its 2D discriminator on a frame
pair plus Δt is far cheaper. This component makes the comparison runnable: 3D convolutions of
kernel 4, stride 2 and padding 1 along t, h and w (TGAN's layout: 64, 128, 256, 512 channels,
so a 16-frame clip ends with t = 1) while t > 1, then along h and w only, each followed by a
leaky ReLU 0.2, and a linear layer to one logit. Weights use the equalized learning rate of
the StyleGAN family, so it trains with the same optimiser settings as DIGAN's discriminators.
No batch normalisation (it would couple the videos of a batch and R1's gradients).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange
from inrvid_stylegan2.layers import EqualLinear
from pydantic import Field, field_validator
from torch import Tensor, nn

from inrvid.base.errors import ShapeError
from inrvid.base.tensor import expect_shape
from inrvid.components.discriminator import Discriminator, DiscriminatorConfig
from inrvid.components.registry import BuildContext


class EqualConv3d(nn.Module):
    """Equalized-lr 3D convolution (kernel 4, padding 1) with stride 2 in h, w and optionally t."""

    def __init__(self, *, in_channels: int, out_channels: int, stride_t: int) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stride = (stride_t, 2, 2)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 4, 4, 4))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_gain = 1.0 / math.sqrt(in_channels * 4 * 4 * 4)

    def forward(self, x: Tensor) -> Tensor:
        """`b c t h w -> b c' t' h/2 w/2` (t' = t/2 when striding in time, else t)."""
        pad_t = [1, 1] if self.stride[0] == 2 else [2, 1]      # stride 1 keeps t
        x = F.pad(x, [1, 1, 1, 1, *pad_t])                                     # b c t' h+2 w+2
        y = F.conv3d(x, self.weight * self.weight_gain, self.bias, stride=self.stride)
        return F.leaky_relu(y, 0.2) * math.sqrt(2.0)

    def extra_repr(self) -> str:
        """Sizes, for `print(module)`."""
        return f"{self.in_channels} -> {self.out_channels}, stride={self.stride}"


class Conv3dVideoDiscriminatorConfig(DiscriminatorConfig):
    """Options of `conv3d_video_d` (defaults: TGAN's widths)."""

    channels: list[int] = Field(
        default_factory=lambda: [64, 128, 256, 512],
        description="output channels of the 3D convolutions, one per layer (each halves h and "
        "w, and t while t > 1)")
    frames: int | None = Field(
        None, gt=1, description="frames of the clips it scores; null: the dataset's clip_frames")

    @field_validator("channels")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if not value or min(value) < 1:
            raise ValueError(f"channels must be a non-empty list of positive ints, got {value}")
        return value


class Conv3dVideoDiscriminator(Discriminator):
    """Scores whole clips: frames `b t c h w` (t = `frames_seen`), times unused -> logits `b 1`."""

    def __init__(self, cfg: Conv3dVideoDiscriminatorConfig, ctx: BuildContext) -> None:
        super().__init__()
        video = ctx.require_video()
        self.frames_seen = self.frames = cfg.frames or video.frames
        self.channels = video.channels
        self.height, self.width = video.height, video.width
        layers: list[nn.Module] = []
        t, h, w, c_in = self.frames, video.height, video.width, video.channels
        for c_out in cfg.channels:
            if h % 2 or w % 2 or h < 2:
                raise ShapeError(
                    f"conv3d_video_d: {len(cfg.channels)} layers halve {video.height}x"
                    f"{video.width} frames {len(cfg.channels)} times, expected even sizes at "
                    f"each layer, got {h}x{w}\n  use fewer `channels` or a power-of-two resolution")
            stride_t = 2 if t > 1 else 1
            layers.append(EqualConv3d(in_channels=c_in, out_channels=c_out, stride_t=stride_t))
            t, h, w, c_in = (t // 2 if stride_t == 2 else t), h // 2, w // 2, c_out
        self.layers = nn.Sequential(*layers)
        self.out = EqualLinear(in_features=c_in * t * h * w, out_features=1)
        self.out_features = c_in * t * h * w

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        """Logits `b 1` for (augmented) clips `b t c h w`; the times are not used."""
        sizes = expect_shape(frames, "b t c h w", t=self.frames, c=self.channels,
                             h=self.height, w=self.width)
        expect_shape(times, "b t", b=sizes["b"], t=self.frames)
        x = rearrange(frames, "b t c h w -> b c t h w")
        x = self.layers(x)                                                     # b c' t' h' w'
        return self.out(rearrange(x, "b c t h w -> b (c t h w)"))              # b 1
