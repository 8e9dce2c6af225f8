"""DiffAugment colour and translation, with one random draw per video shared by its frames.

digan-reference.md §3: brightness + U(-0.5, 0.5); saturation x U(0, 2); contrast x U(0.5, 1.5);
integer translation up to ±ratio·size (0.125 -> ±16 px at 128) with zero fill. Colour means
are per frame (saturation: over channels at each pixel; contrast: over the whole frame), as
the release computes them on `(b t) c h w`. Both are differentiable, so G gets gradients
through them. The Δt plane of the motion discriminator never passes through an augment.
"""

from __future__ import annotations

import torch
from einops import repeat
from pydantic import Field
from torch import Tensor

from inrvid.augment import Augment, AugmentConfig
from inrvid.registry import BuildContext
from inrvid.tensor import expect_shape


def _per_video_uniform(frames: Tensor, low: float, high: float) -> Tensor:
    """One U(low, high) draw per video, broadcastable to `b t c h w`."""
    u = torch.rand(frames.shape[0], 1, 1, 1, 1, dtype=frames.dtype, device=frames.device)
    return low + (high - low) * u                                                  # b 1 1 1 1


class DiffAugColorConfig(AugmentConfig):
    """Options of `diffaug_color` (defaults: DiffAugment's)."""

    brightness: float = Field(
        0.5, ge=0, description="brightness offset ~ U(-brightness, brightness)"
    )
    saturation: float = Field(
        1.0, ge=0, description="saturation factor ~ U(1 - saturation, 1 + saturation)"
    )
    contrast: float = Field(
        0.5, ge=0, description="contrast factor ~ U(1 - contrast, 1 + contrast)"
    )


class DiffAugColor(Augment):
    """Random brightness, then saturation, then contrast, drawn once per video."""

    def __init__(self, cfg: DiffAugColorConfig, ctx: BuildContext) -> None:
        super().__init__()
        del ctx
        self.brightness = cfg.brightness
        self.saturation = cfg.saturation
        self.contrast = cfg.contrast

    def forward(self, frames: Tensor) -> Tensor:
        """Augment `b t c h w` frames in [-1, 1] units."""
        expect_shape(frames, "b t c h w")
        x = frames + _per_video_uniform(frames, -self.brightness, self.brightness)
        mean = x.mean(dim=2, keepdim=True)                                         # b t 1 h w
        x = (x - mean) * _per_video_uniform(frames, 1 - self.saturation, 1 + self.saturation) + mean
        mean = x.mean(dim=(2, 3, 4), keepdim=True)                                 # b t 1 1 1
        return (x - mean) * _per_video_uniform(frames, 1 - self.contrast, 1 + self.contrast) + mean


class DiffAugTranslationConfig(AugmentConfig):
    """Options of `diffaug_translation`."""

    ratio: float = Field(
        0.125, ge=0, le=1, description="max shift as a fraction of the side (round(ratio·size) px)"
    )


class DiffAugTranslation(Augment):
    """Shift every frame of a video by the same random integer (dx, dy), filling with zeros."""

    def __init__(self, cfg: DiffAugTranslationConfig, ctx: BuildContext) -> None:
        super().__init__()
        del ctx
        self.ratio = cfg.ratio

    def forward(self, frames: Tensor) -> Tensor:
        """Augment `b t c h w` frames; the output pixel (i, j) is the input's (i + dy, j + dx)."""
        sizes = expect_shape(frames, "b t c h w")
        b, h, w = sizes["b"], sizes["h"], sizes["w"]
        max_y, max_x = int(h * self.ratio + 0.5), int(w * self.ratio + 0.5)
        dy = torch.randint(-max_y, max_y + 1, (b, 1), device=frames.device)       # b 1
        dx = torch.randint(-max_x, max_x + 1, (b, 1), device=frames.device)       # b 1
        return shift_frames(frames, dy, dx, pad_y=max_y, pad_x=max_x)


def shift_frames(frames: Tensor, dy: Tensor, dx: Tensor, *, pad_y: int, pad_x: int) -> Tensor:
    """Read `b t c h w` frames at rows i + dy and columns j + dx (dy, dx: `b 1`), zeros outside.

    |dy| <= pad_y and |dx| <= pad_x. Differentiable with respect to the frames.
    """
    t, c, h, w = frames.shape[1:]
    padded = torch.nn.functional.pad(frames, [pad_x, pad_x, pad_y, pad_y])       # b t c H W
    rows = torch.arange(h, device=frames.device) + dy + pad_y                      # b h
    cols = torch.arange(w, device=frames.device) + dx + pad_x                      # b w
    rows = repeat(rows, "b h -> b t c h w", t=t, c=c, w=padded.shape[-1])
    x = padded.gather(3, rows)                                                     # b t c h W
    cols = repeat(cols, "b w -> b t c h w", t=t, c=c, h=h)
    return x.gather(4, cols)                                                       # b t c h w
