"""DiffAugment colour and translation, with one random draw per video shared by its frames.

docs/reference/digan.md §3: brightness + U(-0.5, 0.5); saturation x U(0, 2); contrast x U(0.5, 1.5);
integer translation up to ±ratio·size (0.125 -> ±16 px at 128) with zero fill. Colour means
are per frame (saturation: over channels at each pixel; contrast: over the whole frame), as
the release computes them on `(b t) c h w`. Both are differentiable, so G gets gradients
through them. The Δt plane of the motion discriminator never passes through an augment.
`SharedDraw` lets the discriminators of one evaluation share a draw, as the release does.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from einops import repeat
from pydantic import Field
from torch import Tensor

from inrvid.base.errors import ShapeError
from inrvid.base.tensor import expect_shape
from inrvid.components.augment import Augment, AugmentConfig
from inrvid.components.registry import BuildContext


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


def _rng_state(device: torch.device) -> Tensor:
    """The state of the default generator that draws on `device`."""
    if device.type == "cuda":
        return torch.cuda.get_rng_state(device)
    return torch.get_rng_state()


def _set_rng_state(device: torch.device, state: Tensor) -> None:
    if device.type == "cuda":
        torch.cuda.set_rng_state(state, device)
    else:
        torch.set_rng_state(state)


class SharedDraw:
    """An augment whose calls within one discriminator evaluation share one random draw.

    The release scores the image discriminator on the frames split out of the motion
    discriminator's augmented input, so both see the same colour and translation draw
    (`loss.py` / `networks.py` of sihyun-yu/digan). This wrapper gives every discriminator of
    an evaluation that same draw:
    - a call with the very frames of the previous call returns the previous output (the
      augmentation is computed once, as in the release);
    - a call with other frames of the same shape (e.g. R1's motion-D input, which must be
      augmented inside the graph of its own leaf) replays the first call's random numbers,
      then leaves the generator where the first call left it, so the run's random stream moves
      as if the augmentation had been drawn once.
    Augments draw from torch's default generator of the frames' device (as DiffAugment does).
    """

    def __init__(self, augment: Callable[[Tensor], Tensor]) -> None:
        self.augment = augment
        self._before: Tensor | None = None
        self._after: Tensor | None = None
        self._shape: torch.Size | None = None
        self._last: tuple[Tensor, Tensor] | None = None

    def __call__(self, frames: Tensor) -> Tensor:
        """Augment `b t c h w` frames with this evaluation's draw."""
        if self._last is not None and frames is self._last[0]:
            return self._last[1]
        if self._before is None or self._after is None:
            self._before, self._shape = _rng_state(frames.device), frames.shape
            out = self.augment(frames)
            self._after = _rng_state(frames.device)
        else:
            if frames.shape != self._shape:
                raise ShapeError(
                    f"shared augmentation draw: frames {tuple(frames.shape)} after "
                    f"{tuple(self._shape or ())} in the same evaluation, expected the same shape\n"
                    "  every discriminator of an evaluation must see the same videos; "
                    "or set the loss's `augment_draw: per_discriminator`"
                )
            _set_rng_state(frames.device, self._before)
            out = self.augment(frames)
            _set_rng_state(frames.device, self._after)
        self._last = (frames, out)
        return out
