"""Pixel conventions of the metric pipelines: value ranges and the feature networks' resizes.

The uint8 cast and the centred crop-and-resize of real clips are `inrvid.base.pixels`.

Every function takes and returns `b c h w` (frames) unless stated; callers fold time into the
batch with einops. The conventions are those of docs/reference/metrics.md §1.3 and §4.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def to_unit_range(frames: Tensor) -> Tensor:
    """uint8 0-255 -> float32 in [-1, 1] as (v/255 − 0.5)·2 (the PyTorch I3D convention)."""
    return (frames.float() / 255.0 - 0.5) * 2.0


def resize_bilinear(frames: Tensor, height: int, width: int, align_corners: bool = False) -> Tensor:
    """Bilinear resize of float frames without antialiasing (PyTorch half-pixel by default)."""
    if frames.shape[-2:] == (height, width):
        return frames
    return F.interpolate(
        frames, size=(height, width), mode="bilinear", align_corners=align_corners, antialias=False
    )


def resize_short_side_crop(frames: Tensor, size: int) -> Tensor:
    """Shorter side to `size` (long side rounded up), then the centred `size × size` crop.

    The DIGAN / VideoGPT / PVDM way of feeding the I3D; square frames are resized straight.
    """
    h, w = frames.shape[-2:]
    scale = size / min(h, w)
    resized = resize_bilinear(frames, math.ceil(h * scale), math.ceil(w * scale))
    top = (resized.shape[-2] - size) // 2
    left = (resized.shape[-1] - size) // 2
    return resized[..., top : top + size, left : left + size]


def _legacy_taps(
    size_in: int, size_out: int, device: torch.device
) -> tuple[Tensor, Tensor, Tensor]:
    """Source indices (lower, upper) and weights of TF1's legacy mapping src = dst·in/out."""
    src = torch.arange(size_out, device=device, dtype=torch.float64) * (size_in / size_out)
    lower = src.floor().long().clamp(max=size_in - 1)
    upper = (lower + 1).clamp(max=size_in - 1)
    weight = (src - lower.double()).float()
    return lower, upper, weight


def resize_tf1_legacy(frames: Tensor, height: int, width: int) -> Tensor:
    """Bilinear resize in TF1's legacy convention (align_corners=False, half_pixel_centers=False).

    Source coordinate of output pixel i is i·in/out (no half-pixel shift), as in
    `tf.image.resize_bilinear`; the FID Inception graph resizes this way.
    """
    x = frames.float()
    h, w = x.shape[-2:]
    top, bottom, wy = _legacy_taps(h, height, x.device)
    x = x[..., top, :] * (1 - wy)[:, None] + x[..., bottom, :] * wy[:, None]   # b c H w
    left, right, wx = _legacy_taps(w, width, x.device)
    return x[..., left] * (1 - wx) + x[..., right] * wx                        # b c H W
