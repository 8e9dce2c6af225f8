"""Clip preprocessing: centre square crop, bilinear resize, and the deterministic x-flip."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

_MASK = (1 << 64) - 1


def centre_crop_resize(video: Tensor, resolution: int) -> Tensor:
    """Crop uint8 `f c h w` to its centre square and resize to `resolution` (bilinear, no AA).

    The resize runs on uint8 channels-last tensors (torch's fast path); it agrees with the
    float computation rounded to nearest within 1 grey level.
    """
    _, _, h, w = video.shape
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = video[:, :, top:top + side, left:left + side]            # f c s s
    if side == resolution:
        return square.contiguous()
    resized = F.interpolate(
        square.contiguous(memory_format=torch.channels_last), size=(resolution, resolution),
        mode="bilinear", align_corners=False, antialias=False,
    )                                                                 # f c r r
    return resized.contiguous()


def mix64(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): stable across processes and platforms."""
    state = 0x9E3779B97F4A7C15
    for value in values:
        state = (state ^ (value & _MASK)) & _MASK
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        state = z ^ (z >> 31)
    return state


def flip_decision(seed: int, epoch: int, index: int) -> bool:
    """Whether clip `index` is flipped in `epoch`: a fair coin fixed by (seed, epoch, index)."""
    return bool(mix64(seed, epoch, index) >> 63)
