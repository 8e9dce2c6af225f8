"""Pixel conventions: float frames to uint8, and the centred square crop with its resize.

One arithmetic for every caller (sample videos, written files, metrics, datasets, predict):
a float value v in `value_range` maps to 255 (v - lo) / (hi - lo), rounded half up, or
truncated as DIGAN's evaluation does; a resize is bilinear with half-pixel centres and no
antialiasing, computed in float and rounded the same way.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def to_uint8(
    x: Tensor, *, value_range: tuple[float, float] = (-1.0, 1.0), truncate: bool = False
) -> Tensor:
    """Float values in `value_range` (clamped first) to uint8; uint8 passes through.

    Default: round half up, floor(s·x + 0.5 - s·lo) with s = 255 / (hi - lo) (for [-1, 1]:
    floor(127.5·x + 128), StyleGAN-V's cast). `truncate`: floor(s·(x - lo)) (for [-1, 1]:
    floor(127.5·(x + 1)), the plain cast DIGAN uses). The result stays on x's device.
    """
    if x.dtype == torch.uint8:
        return x
    lo, hi = value_range
    scale = 255.0 / (hi - lo)
    x = x.detach().float().clamp(lo, hi)
    scaled = scale * (x - lo) if truncate else scale * x + (0.5 - scale * lo)
    return scaled.floor().clamp(0, 255).to(torch.uint8)


def centre_crop_resize(video: Tensor, resolution: int, *, truncate: bool = False) -> Tensor:
    """uint8 `n c h w` -> its centred square of side min(h, w), resized to `resolution`: uint8.

    Frames already `resolution` square are returned as they are. The resize is bilinear
    (half-pixel centres, no antialiasing) in float, then rounded half up (or truncated).
    """
    h, w = video.shape[-2:]
    if (h, w) == (resolution, resolution):
        return video
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = video[..., top : top + side, left : left + side]                     # n c s s
    if side == resolution:
        return square.contiguous()
    # channels-last float is torch's fast bilinear path on the CPU; the values are the same
    x = square.contiguous(memory_format=torch.channels_last).float()
    resized = F.interpolate(
        x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=False
    )                                                                             # n c r r
    rounded = resized.floor_() if truncate else resized.add_(0.5).floor_()
    return rounded.clamp_(0, 255).to(torch.uint8).contiguous()
