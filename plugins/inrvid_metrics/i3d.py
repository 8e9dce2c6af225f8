"""Inflated 3D ConvNet (I3D, RGB) for Kinetics-400: the FVD/KVD feature network.

The module and parameter names are the TF endpoint names used by the PyTorch ports (the
`InceptionI3d(400)` state dict that VideoGPT converted and DIGAN loads), so that file loads
as it is: `Conv3d_1a_7x7.conv3d.weight` [64, 3, 7, 7, 7], `Mixed_3b.b1b.conv3d.weight`
[128, 96, 3, 3, 3], `logits.conv3d.weight` [400, 1024, 1, 1, 1] and `logits.conv3d.bias`
[400]. Convolutions have no bias and are followed by batch norm (eps 1e-3); TF "SAME"
padding is computed at run time. The embedding is the 400 logits before softmax, averaged
over the temporal positions left after the head (docs/reference/metrics.md §1.1).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import reduce
from torch import Tensor, nn

from inrvid.base.errors import ShapeError
from inrvid.base.tensor import expect_shape
from inrvid_metrics.layers import FrozenBatchNorm, same_padding

Triple = tuple[int, int, int]


class Unit3D(nn.Module):
    """Conv3d with TF "SAME" padding, then batch norm and ReLU (each optional)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: Triple = (1, 1, 1),
        stride: Triple = (1, 1, 1),
        *,
        batch_norm: bool = True,
        relu: bool = True,
        bias: bool = False,
    ) -> None:
        super().__init__()
        self.kernel, self.stride, self.relu = kernel, stride, relu
        self.conv3d = nn.Conv3d(in_channels, out_channels, kernel, stride, padding=0, bias=bias)
        self.bn = FrozenBatchNorm(out_channels, eps=1e-3) if batch_norm else None

    def forward(self, x: Tensor) -> Tensor:
        """`b c t h w -> b c' t' h' w'` with t' = ceil(t / stride) (likewise h, w)."""
        pads = [same_padding(s, k, st) for s, k, st in
                zip(x.shape[2:], self.kernel, self.stride, strict=True)]
        x = F.pad(x, [p for pair in reversed(pads) for p in pair])       # w, h, t pairs
        x = self.conv3d(x)
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x) if self.relu else x


class MaxPool3dSame(nn.Module):
    """Max pooling with TF "SAME" padding (zeros; inputs are post-ReLU, so ≥ 0)."""

    def __init__(self, kernel: Triple, stride: Triple) -> None:
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x: Tensor) -> Tensor:
        """`b c t h w -> b c ceil(t/st) ceil(h/sh) ceil(w/sw)`."""
        pads = [same_padding(s, k, st) for s, k, st in
                zip(x.shape[2:], self.kernel, self.stride, strict=True)]
        x = F.pad(x, [p for pair in reversed(pads) for p in pair])
        return F.max_pool3d(x, self.kernel, self.stride)


class InceptionBlock(nn.Module):
    """Four branches concatenated: 1×1; 1×1→3×3; 1×1→3×3; 3×3 max pool→1×1."""

    def __init__(self, in_channels: int, widths: tuple[int, int, int, int, int, int]) -> None:
        super().__init__()
        c0, c1a, c1b, c2a, c2b, c3b = widths
        self.b0 = Unit3D(in_channels, c0)
        self.b1a = Unit3D(in_channels, c1a)
        self.b1b = Unit3D(c1a, c1b, (3, 3, 3))
        self.b2a = Unit3D(in_channels, c2a)
        self.b2b = Unit3D(c2a, c2b, (3, 3, 3))
        self.b3a = MaxPool3dSame((3, 3, 3), (1, 1, 1))
        self.b3b = Unit3D(in_channels, c3b)
        self.out_channels = c0 + c1b + c2b + c3b

    def forward(self, x: Tensor) -> Tensor:
        """`b c t h w -> b (c0+c1b+c2b+c3b) t h w`."""
        return torch.cat(
            [self.b0(x), self.b1b(self.b1a(x)), self.b2b(self.b2a(x)), self.b3b(self.b3a(x))],
            dim=1,
        )


# (endpoint name, input channels, branch widths) of the Inception blocks, in order.
_BLOCKS: dict[str, tuple[int, tuple[int, int, int, int, int, int]]] = {
    "Mixed_3b": (192, (64, 96, 128, 16, 32, 32)),
    "Mixed_3c": (256, (128, 128, 192, 32, 96, 64)),
    "Mixed_4b": (480, (192, 96, 208, 16, 48, 64)),
    "Mixed_4c": (512, (160, 112, 224, 24, 64, 64)),
    "Mixed_4d": (512, (128, 128, 256, 24, 64, 64)),
    "Mixed_4e": (512, (112, 144, 288, 32, 64, 64)),
    "Mixed_4f": (528, (256, 160, 320, 32, 128, 128)),
    "Mixed_5b": (832, (256, 160, 320, 32, 128, 128)),
    "Mixed_5c": (832, (384, 192, 384, 48, 128, 128)),
}


def i3d_temporal_positions(frames: int) -> int:
    """Logit positions left in time: the stem conv and two pools halve (ceil), the head −1."""
    t = math.ceil(frames / 2)                 # Conv3d_1a_7x7, stride 2
    t = math.ceil(math.ceil(t / 2) / 2)       # MaxPool3d_4a_3x3, MaxPool3d_5a_2x2
    return t - 1                              # AvgPool3d over 2 frames, no padding


class InceptionI3d(nn.Module):
    """I3D RGB: clips `b 3 t 224 224` in [-1, 1] -> time-averaged logits `b num_classes`.

    t ≥ 9 (16 frames leave one temporal position, 128 leave 15). The spatial size must be
    224 (7×7 before the head).
    """

    def __init__(self, num_classes: int = 400) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.Conv3d_1a_7x7 = Unit3D(3, 64, (7, 7, 7), (2, 2, 2))
        self.MaxPool3d_2a_3x3 = MaxPool3dSame((1, 3, 3), (1, 2, 2))
        self.Conv3d_2b_1x1 = Unit3D(64, 64)
        self.Conv3d_2c_3x3 = Unit3D(64, 192, (3, 3, 3))
        self.MaxPool3d_3a_3x3 = MaxPool3dSame((1, 3, 3), (1, 2, 2))
        self.Mixed_3b, self.Mixed_3c = self._blocks("Mixed_3b", "Mixed_3c")
        self.MaxPool3d_4a_3x3 = MaxPool3dSame((3, 3, 3), (2, 2, 2))
        self.Mixed_4b, self.Mixed_4c, self.Mixed_4d, self.Mixed_4e, self.Mixed_4f = self._blocks(
            "Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_4f"
        )
        self.MaxPool3d_5a_2x2 = MaxPool3dSame((2, 2, 2), (2, 2, 2))
        self.Mixed_5b, self.Mixed_5c = self._blocks("Mixed_5b", "Mixed_5c")
        self.logits = Unit3D(1024, num_classes, batch_norm=False, relu=False, bias=True)

    @staticmethod
    def _blocks(*names: str) -> list[InceptionBlock]:
        return [InceptionBlock(*_BLOCKS[name]) for name in names]

    def features(self, x: Tensor) -> Tensor:
        """Stem and Inception blocks: `b 3 t 224 224 -> b 1024 t' 7 7` (Mixed_5c)."""
        x = self.Conv3d_1a_7x7(x)                                        # b 64 t/2 112 112
        x = self.MaxPool3d_2a_3x3(x)                                     # b 64 t/2 56 56
        x = self.Conv3d_2c_3x3(self.Conv3d_2b_1x1(x))                     # b 192 t/2 56 56
        x = self.MaxPool3d_3a_3x3(x)                                     # b 192 t/2 28 28
        x = self.Mixed_3c(self.Mixed_3b(x))                              # b 480 t/2 28 28
        x = self.MaxPool3d_4a_3x3(x)                                     # b 480 t/4 14 14
        for block in (self.Mixed_4b, self.Mixed_4c, self.Mixed_4d, self.Mixed_4e, self.Mixed_4f):
            x = block(x)                                                 # b 832 t/4 14 14
        x = self.MaxPool3d_5a_2x2(x)                                     # b 832 t/8 7 7
        return self.Mixed_5c(self.Mixed_5b(x))                           # b 1024 t/8 7 7

    def logits_per_position(self, clips: Tensor) -> Tensor:
        """Pre-softmax logits at every temporal position: `b 3 t 224 224 -> b k t'`."""
        sizes = expect_shape(clips, "b c t h w", c=3, h=224, w=224)
        if i3d_temporal_positions(sizes["t"]) < 1:
            raise ShapeError(
                f"I3D: clips of {sizes['t']} frames leave no temporal position, expected at "
                "least 9 frames\n  evaluate with longer clips (16 is the standard)"
            )
        x = F.avg_pool3d(self.features(clips), (2, 7, 7), stride=1)       # b 1024 t' 1 1
        x = self.logits(x)                                               # dropout is inactive
        return x[:, :, :, 0, 0]                                          # b k t'

    def forward(self, clips: Tensor) -> Tensor:
        """Clips `b 3 t 224 224` in [-1, 1] -> logits `b k` averaged over time."""
        return reduce(self.logits_per_position(clips), "b k t -> b k", "mean")
