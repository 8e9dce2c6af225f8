"""StyleGAN2's modulated layers: modulated convolutions, ToRGB and FIR up-sampling.

The equalized-lr linear layer, the FIR filter and blur and the lrelu activation are in
`inrvid_stylegan2.layers`; what a StyleGAN2 *synthesis network* needs lives here (StyleGAN-V
uses it). Frames travel as `b t c h w`:
the style w is one per video, so a modulated weight is built once per video and applied to all
its frames (a grouped convolution over videos with the frames as the batch).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from inrvid_stylegan2.layers import EqualLinear, activate, fir_blur, fir_filter

FIR_UP_GAIN = 4.0   # x2 up-sampling by zero insertion keeps the mean when the filter sums to 4


def upsample_fir(x: Tensor, kernel: Tensor) -> Tensor:
    """x2 up-sampling of `n c h w`: insert zeros, pad (2, 1), blur with 4·kernel -> `n c 2h 2w`.

    StyleGAN2's `upsample2d` with the 4-tap filter: samples land on even positions.
    """
    n, c, h, w = x.shape
    y = x.new_zeros(n, c, 2 * h, 2 * w)
    y[:, :, ::2, ::2] = x                                                      # n c 2h 2w
    y = F.pad(y, [2, 1, 2, 1])                                                 # n c 2h+3 2w+3
    return fir_blur(y, kernel * FIR_UP_GAIN, pad=0)                            # n c 2h 2w


def modulated_conv2d(
    x: Tensor,
    weight: Tensor,
    styles: Tensor,
    *,
    demodulate: bool,
    up: bool = False,
    kernel: Tensor | None = None,
) -> Tensor:
    """Convolve frames `b t i h w` with a weight `o i k k` modulated per video by `styles b i`.

    Demodulation rescales each output channel of the modulated weight to unit L2 norm. With
    `up`, a stride-2 transposed convolution followed by the FIR blur (gain 4, padding 1) doubles
    h and w, as StyleGAN2's up-sampling convolution. Returns `b t o h' w'`.
    """
    b = x.shape[0]
    o, k = weight.shape[0], weight.shape[-1]
    w = weight[None] * rearrange(styles, "b i -> b 1 i 1 1")                  # b o i k k
    if demodulate:
        w = w * (w.square().sum(dim=[2, 3, 4], keepdim=True) + 1e-8).rsqrt()  # b o i k k
    x = rearrange(x, "b t i h w -> t (b i) h w")
    if up:
        assert kernel is not None
        w_t = rearrange(w, "b o i kh kw -> (b i) o kh kw")
        x = F.conv_transpose2d(x, w_t.to(x.dtype), stride=2, groups=b)         # t (b o) 2h+1 2w+1
        x = fir_blur(x, kernel * FIR_UP_GAIN, pad=1)                           # t (b o) 2h 2w
    else:
        w_c = rearrange(w, "b o i kh kw -> (b o) i kh kw")
        x = F.conv2d(x, w_c.to(x.dtype), padding=k // 2, groups=b)             # t (b o) h w
    return rearrange(x, "t (b o) h w -> b t o h w", b=b, o=o)


class SynthesisLayer(nn.Module):
    """Modulated 3x3 convolution with demodulation, bias, lrelu (gain sqrt 2) and clamp.

    The style of each input channel is an affine map of w (bias initialised to 1). `up`
    doubles the resolution. No noise input: StyleGAN-V trains without it (`use_noise: false`).
    """

    fir: Tensor

    def __init__(
        self,
        *,
        in_channels: int,
        out_channels: int,
        w_dim: int,
        up: bool = False,
        conv_clamp: float | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.up = up
        self.conv_clamp = conv_clamp
        self.affine = EqualLinear(in_features=w_dim, out_features=in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 3, 3))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.register_buffer("fir", fir_filter(), persistent=False)

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        """Frames `b t i h w`, style `b d_w` -> `b t o h' w'` (h' = 2h when up-sampling)."""
        styles = self.affine(w)                                                # b i
        x = modulated_conv2d(x, self.weight, styles, demodulate=True, up=self.up,
                             kernel=self.fir)                                  # b t o h' w'
        x = x + rearrange(self.bias.to(x.dtype), "o -> 1 1 o 1 1")
        return activate(x, "lrelu", clamp=self.conv_clamp)

    def extra_repr(self) -> str:
        """Sizes, for `print(module)`."""
        return f"{self.in_channels} -> {self.out_channels}, up={self.up}"


class ToRGB(nn.Module):
    """Modulated 1x1 convolution to image channels, no demodulation, linear output (clamped)."""

    def __init__(
        self, *, in_channels: int, out_channels: int, w_dim: int, conv_clamp: float | None
    ) -> None:
        super().__init__()
        self.conv_clamp = conv_clamp
        self.affine = EqualLinear(in_features=w_dim, out_features=in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_gain = 1.0 / math.sqrt(in_channels)

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        """Frames `b t i h w`, style `b d_w` -> RGB `b t c h w`."""
        styles = self.affine(w) * self.weight_gain                             # b i
        x = modulated_conv2d(x, self.weight, styles, demodulate=False)         # b t c h w
        x = x + rearrange(self.bias.to(x.dtype), "c -> 1 1 c 1 1")
        return activate(x, "linear", clamp=self.conv_clamp)
