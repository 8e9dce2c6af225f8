"""StyleGAN2's equalized-lr layers: the linear layer, the FIR filter and blur, the convolution.

Shared by DIGAN (generator, encoder, discriminators), StyleGAN-V and the 3D video
discriminator. StyleGAN2 conventions throughout: weights are stored N(0, 1) and scaled at run
time by 1/sqrt(fan_in) ("equalized learning rate"); `lrelu` is a leaky ReLU of slope 0.2
followed by a gain of sqrt(2). Everything is plain PyTorch: no custom CUDA ops.

The discriminator's convolution is written for speed without changing the function
(docs/performance.md): the activation gain is folded into the (tiny) weight and bias, since a
leaky ReLU is positively homogeneous, and the bias rides in the convolution; the clamp is a
`hardtanh` (one kernel forward, one backward, differentiable twice for R1); the FIR blur pads
inside the convolution instead of copying the activation; a 1x1 convolution on a channels-first
tensor runs as a matrix product (PyTorch's CPU 1x1 convolution is several times slower).
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F
from einops import rearrange, reduce, repeat
from torch import Tensor, nn

Activation = Literal["linear", "lrelu"]
LRELU_SLOPE = 0.2
LRELU_GAIN = math.sqrt(2.0)


def activate(
    x: Tensor, activation: Activation, gain: float = 1.0, clamp: float | None = None
) -> Tensor:
    """Apply `activation` (lrelu carries its sqrt(2) gain), an extra `gain`, then a clamp."""
    if activation == "lrelu":
        x = F.leaky_relu(x, LRELU_SLOPE) * (LRELU_GAIN * gain)
    elif gain != 1.0:
        x = x * gain
    if clamp is not None:
        x = F.hardtanh(x, -clamp, clamp)          # = clamp, with a one-kernel backward
    return x


class EqualLinear(nn.Module):
    """Fully connected layer with equalized learning rate.

    Weights are stored N(0, 1) / lr_multiplier and multiplied at run time by
    lr_multiplier / sqrt(in_features); the bias is stored so that its initial effective value
    is `bias_init` and is multiplied at run time by lr_multiplier.
    """

    def __init__(
        self,
        *,
        in_features: int,
        out_features: int,
        bias_init: float = 0.0,
        lr_multiplier: float = 1.0,
        activation: Activation = "linear",
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.activation: Activation = activation
        self.lr_multiplier = lr_multiplier
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.full((out_features,), bias_init / lr_multiplier))
        self.weight_gain = lr_multiplier / math.sqrt(in_features)

    def forward(self, x: Tensor) -> Tensor:
        """`... in_features -> ... out_features`."""
        y = F.linear(x, self.weight) * self.weight_gain       # scales b·out values, not out·in
        return activate(y + self.bias * self.lr_multiplier, self.activation)

    def extra_repr(self) -> str:
        """Sizes, for `print(module)`."""
        return f"{self.in_features} -> {self.out_features}, {self.activation}"


def fir_filter(taps: tuple[float, ...] = (1.0, 3.0, 3.0, 1.0)) -> Tensor:
    """The separable FIR low-pass `k k`, normalised to sum 1 ([1, 3, 3, 1] by default)."""
    f = torch.tensor(taps, dtype=torch.float32)
    f2d = torch.outer(f, f)
    return f2d / f2d.sum()


def fir_blur(x: Tensor, kernel: Tensor, *, pad: int, stride: int = 1) -> Tensor:
    """Zero-pad `b c h w` by `pad`, filter each channel with `kernel` (`k k`), stride `stride`."""
    channels = x.shape[1]
    weight = repeat(kernel.to(x.dtype), "kh kw -> c 1 kh kw", c=channels)
    return F.conv2d(x, weight, stride=stride, padding=pad, groups=channels)  # pads in place


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, *, stride: int = 1,
           padding: int = 0) -> Tensor:
    """`F.conv2d`, with 1x1 kernels on channels-first tensors run as a matrix product."""
    if weight.shape[-1] == 1 and x.is_contiguous() and x.shape[1] > 1 and stride == 1:
        y = torch.matmul(weight[:, :, 0, 0], x.flatten(2))                    # b o (h w)
        if bias is not None:
            y = y + rearrange(bias, "o -> 1 o 1")
        return y.view(x.shape[0], -1, x.shape[2], x.shape[3])                 # b o h w
    return F.conv2d(x, weight, bias, stride=stride, padding=padding)


class Conv2dLayer(nn.Module):
    """Equalized-lr 2D convolution with optional FIR [1,3,3,1] x2 down-sampling.

    Down-sampling follows StyleGAN2: for a 3x3 kernel the input is padded by 2, blurred, then
    convolved with stride 2; for a 1x1 kernel it is padded by 1 and blurred with stride 2 before
    the convolution. Either way `h w -> h/2 w/2`. Activations are clamped to
    ±conv_clamp·gain when conv_clamp is set (StyleGAN2-ADA's conv_clamp).
    """

    def __init__(
        self,
        *,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        bias: bool = True,
        activation: Activation = "linear",
        down: bool = False,
        conv_clamp: float | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.activation: Activation = activation
        self.down = down
        self.conv_clamp = conv_clamp
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)
        self.fir: Tensor
        self.register_buffer("fir", fir_filter(), persistent=False)

    def forward(self, x: Tensor, gain: float = 1.0) -> Tensor:
        """`b c_in h w -> b c_out h' w'` (h' = h/2 when down-sampling)."""
        # act(conv(x, W) + b) * g == act(conv(x, W g) + b g) for g > 0: scale the small tensors
        g = gain * (LRELU_GAIN if self.activation == "lrelu" else 1.0)
        weight = (self.weight * (self.weight_gain * g)).to(x.dtype)
        bias = None if self.bias is None else (self.bias * g).to(x.dtype)
        if self.down and self.kernel_size == 1:
            x = fir_blur(x, self.fir, pad=1, stride=2)                        # b c_in h/2 w/2
            x = conv2d(x, weight, bias)                                       # b c_out h/2 w/2
        elif self.down:
            x = fir_blur(x, self.fir, pad=2)                                  # b c_in h+1 w+1
            x = conv2d(x, weight, bias, stride=2)                             # b c_out h/2 w/2
        else:
            x = conv2d(x, weight, bias, padding=self.kernel_size // 2)        # b c_out h w
        if self.activation == "lrelu":
            x = F.leaky_relu(x, LRELU_SLOPE, inplace=True)                    # x is ours
        if self.conv_clamp is not None:
            x = F.hardtanh(x, -self.conv_clamp * gain, self.conv_clamp * gain)
        return x

    def extra_repr(self) -> str:
        """Sizes, for `print(module)`."""
        return (f"{self.in_channels} -> {self.out_channels}, k={self.kernel_size}, "
                f"down={self.down}, {self.activation}")


def minibatch_std(x: Tensor, *, group_size: int, num_channels: int) -> Tensor:
    """Append `num_channels` planes of the minibatch standard deviation: `b c h w -> b (c+f) h w`.

    Groups are strided, as in StyleGAN2: with n = b / g groups, sample i belongs to group
    i mod n. The group size g is the largest divisor of b not above `group_size`, so any
    batch size works (StyleGAN2 would refuse a batch not divisible by the group).
    """
    batch = x.shape[0]
    g = max(d for d in range(1, min(group_size, batch) + 1) if batch % d == 0)
    y = rearrange(x, "(g n) (f c) h w -> g n f c h w", g=g, f=num_channels)
    y = y - y.mean(dim=0)                                                    # g n f c h w
    y = (y.square().mean(dim=0) + 1e-8).sqrt()                               # n f c h w
    y = reduce(y, "n f c h w -> n f", "mean")                                # n f
    y = repeat(y, "n f -> (g n) f h w", g=g, h=x.shape[2], w=x.shape[3])     # b f h w
    return torch.cat([x, y], dim=1)                                          # b (c+f) h w
