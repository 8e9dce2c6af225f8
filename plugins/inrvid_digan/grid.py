"""DIGAN's pixel grid and its nearest-neighbour x2 up-sampling (the INR's own geometry)."""

from __future__ import annotations

import torch
from einops import rearrange, repeat
from torch import Tensor


def coordinate_grid(size: int, device: torch.device | None = None) -> Tensor:
    """DIGAN's pixel grid at working resolution n = `size`: `(h w) 2` with columns (x, y).

    x_j = -1 + 2j/n along the width (left to right); y takes the same values reversed along
    the height, so the top row has y = 1 - 2/n and the bottom row y = -1. Grids at n and 2n
    are nested (every coarse point is a fine point).
    """
    values = -1.0 + 2.0 * torch.arange(size, device=device, dtype=torch.float32) / size  # n
    x = repeat(values, "w -> h w", h=size)                                               # h w
    y = repeat(values.flip(0), "h -> h w", w=size)                                       # h w
    return rearrange(torch.stack([x, y], dim=-1), "h w i -> (h w) i")                    # (h w) 2


def upsample_nearest(x: Tensor) -> Tensor:
    """Nearest-neighbour x2 on the last two axes: `... h w -> ... (2h) (2w)`."""
    return repeat(x, "... h w -> ... (h h2) (w w2)", h2=2, w2=2)
