"""Inception-v3 as used by FID (the TF graph `inception-2015-12-05`): 2048-d pool features.

Module names follow the widespread PyTorch layout of the FID weights (`Conv2d_1a_3x3.conv.
weight`, `.bn.{weight,bias,running_mean,running_var}`, `Mixed_5b.branch1x1...`,
`Mixed_7c.branch_pool...`, `fc.weight` [1008, 2048]). Batch norm eps is 1e-3. The FID graph
differs from the ImageNet Inception-v3 in two places, kept here: average pools in the
branches exclude the padding from the mean, and the last block pools its fourth branch with
a max instead of an average. Input: RGB frames resized to 299² and scaled as (v − 128)/128.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import reduce
from torch import Tensor, nn

from inrvid.base.tensor import expect_shape
from inrvid_metrics.layers import FrozenBatchNorm

Pair = int | tuple[int, int]


class BasicConv2d(nn.Module):
    """Conv2d without bias, batch norm, ReLU."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel: Pair, stride: int = 1, padding: Pair = 0
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, stride, padding, bias=False)
        self.bn = FrozenBatchNorm(out_channels, eps=1e-3)

    def forward(self, x: Tensor) -> Tensor:
        """`b c h w -> b c' h' w'`."""
        return F.relu(self.bn(self.conv(x)))


def _avg3(x: Tensor) -> Tensor:
    """3×3 average pool, stride 1, padding excluded from the mean (the FID graph's pool)."""
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    """35×35 block: 1×1, 5×5, double 3×3 and pooled branches."""

    def __init__(self, in_channels: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 64, 1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, 1)
        self.branch5x5_2 = BasicConv2d(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, padding=1)
        self.branch_pool = BasicConv2d(in_channels, pool_features, 1)

    def forward(self, x: Tensor) -> Tensor:
        """`b c 35 35 -> b (224 + pool_features) 35 35`."""
        double = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([
            self.branch1x1(x), self.branch5x5_2(self.branch5x5_1(x)), double,
            self.branch_pool(_avg3(x)),
        ], dim=1)


class InceptionB(nn.Module):
    """Grid reduction 35 -> 17: strided 3×3, strided double 3×3 and max pool."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, 3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        """`b c 35 35 -> b (480 + c) 17 17`."""
        double = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), double, F.max_pool2d(x, 3, stride=2)], dim=1)


class InceptionC(nn.Module):
    """17×17 block with factorised 7×7 convolutions (1×7 then 7×1) of width `c7`."""

    def __init__(self, in_channels: int, c7: int) -> None:
        super().__init__()
        row, col = (1, 7), (7, 1)
        self.branch1x1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7_2 = BasicConv2d(c7, c7, row, padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, col, padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, col, padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, row, padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, col, padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, row, padding=(0, 3))
        self.branch_pool = BasicConv2d(in_channels, 192, 1)

    def forward(self, x: Tensor) -> Tensor:
        """`b 768 17 17 -> b 768 17 17`."""
        single = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        double = self.branch7x7dbl_1(x)
        for conv in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                     self.branch7x7dbl_5):
            double = conv(double)
        return torch.cat(
            [self.branch1x1(x), single, double, self.branch_pool(_avg3(x))], dim=1
        )


class InceptionD(nn.Module):
    """Grid reduction 17 -> 8: strided 3×3, 7×7 then strided 3×3, and max pool."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch3x3_2 = BasicConv2d(192, 320, 3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, 3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        """`b 768 17 17 -> b 1280 8 8`."""
        seven = self.branch7x7x3_1(x)
        for conv in (self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            seven = conv(seven)
        three = self.branch3x3_2(self.branch3x3_1(x))
        return torch.cat([three, seven, F.max_pool2d(x, 3, stride=2)], dim=1)


class InceptionE(nn.Module):
    """8×8 block with split 1×3 / 3×1 outputs; `max_pool` selects the FID graph's last block."""

    def __init__(self, in_channels: int, max_pool: bool) -> None:
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(in_channels, 320, 1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, 1)
        self.branch3x3_2a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, 1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(in_channels, 192, 1)

    def forward(self, x: Tensor) -> Tensor:
        """`b c 8 8 -> b 2048 8 8`."""
        three = self.branch3x3_1(x)
        three = torch.cat([self.branch3x3_2a(three), self.branch3x3_2b(three)], dim=1)
        double = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        double = torch.cat([self.branch3x3dbl_3a(double), self.branch3x3dbl_3b(double)], dim=1)
        pooled = F.max_pool2d(x, 3, stride=1, padding=1) if self.max_pool else _avg3(x)
        return torch.cat([self.branch1x1(x), three, double, self.branch_pool(pooled)], dim=1)


class InceptionV3(nn.Module):
    """FID Inception-v3: frames `b 3 299 299`, (v − 128)/128 -> pool features `b 2048`."""

    def __init__(self, num_classes: int = 1008) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, 3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, 1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, 3)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, c7=128)
        self.Mixed_6c = InceptionC(768, c7=160)
        self.Mixed_6d = InceptionC(768, c7=160)
        self.Mixed_6e = InceptionC(768, c7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, max_pool=False)
        self.Mixed_7c = InceptionE(2048, max_pool=True)
        self.fc = nn.Linear(2048, num_classes)                           # unused by FID

    def forward(self, frames: Tensor) -> Tensor:
        """Frames `b 3 299 299` -> 2048-d average-pooled features `b 2048`."""
        expect_shape(frames, "b c h w", c=3, h=299, w=299)
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(frames)))  # b 64 147 147
        x = F.max_pool2d(x, 3, stride=2)                                 # b 64 73 73
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))                    # b 192 71 71
        x = F.max_pool2d(x, 3, stride=2)                                 # b 192 35 35
        x = self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x)))               # b 288 35 35
        x = self.Mixed_6a(x)                                             # b 768 17 17
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(x))))  # b 768 17 17
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))               # b 2048 8 8
        return reduce(x, "b c h w -> b c", "mean")                       # b 2048
