"""Rendering long, large videos in chunks of videos and of frames, with bounded memory.

A generator renders frames independently given the latents, so a video of any length is
rendered `chunk_frames` times at a time and a batch of any size `chunk_videos` videos at a
time: no generator call sees more than `chunk_videos x chunk_frames` frames, whatever the
number of videos and frames asked for. Only the uint8 result grows with the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypedDict

import torch
from torch import Tensor
from typing_extensions import Unpack

from inrvid.base.errors import InrvidError
from inrvid.base.pixels import to_uint8
from inrvid.base.time_axis import index_times
from inrvid.components.generator import Generator, StyleGenerator, class_keywords

# Called after each chunk with the number of frames it rendered (for progress bars).
OnChunk = Callable[[int], None]


@dataclass(frozen=True)
class Chunking:
    """How many videos and frames one generator call renders at most."""

    videos: int = 4
    frames: int = 16

    def __post_init__(self) -> None:
        if self.videos < 1 or self.frames < 1:
            raise InrvidError(
                f"chunking: got {self.videos} videos x {self.frames} frames per call, expected "
                "at least 1 of each\n  pass --chunk-videos and --chunk-frames >= 1"
            )


def frame_times(
    frames: int, clip_frames: int, start: float = 0.0, end: float | None = None
) -> Tensor:
    """`frames` evenly spaced times from `start` to `end`: `t`, float32.

    The training clip's frame k lies at t = k / (clip_frames - 1). With `end` None the step is
    the training clip's, so `frames > clip_frames` continues past t = 1 (extrapolation).
    """
    if frames < 1:
        raise InrvidError(f"frames: got {frames}, expected at least 1\n  pass --frames >= 1")
    if end is None:
        end = start + float(index_times([frames - 1], clip_frames, torch.float64))
    if frames == 1:
        return torch.tensor([start], dtype=torch.float32)
    return torch.linspace(start, end, frames, dtype=torch.float64).float()


def check_scale(generator: Generator, scale: int, option: str = "scale") -> None:
    """Refuse a `scale` above the generator's `max_scale`, before anything is rendered."""
    top, name = generator.max_scale, type(generator).__name__
    if top is None or scale <= top:
        return
    if top == 1:
        raise InrvidError(
            f"{option}: got {scale}, expected 1: {name} renders one grid, at its training "
            f"resolution (its max_scale is 1)\n  leave {option} out"
        )
    raise InrvidError(
        f"{option}: got {scale}, expected at most {top}: {name} renders at most {top}x its "
        f"training resolution (its max_scale)\n  pass {option} {top} or less"
    )


def require_style(generator: Generator) -> StyleGenerator:
    """The generator as a `StyleGenerator`; a clear error if it has no style vector w."""
    if not isinstance(generator, StyleGenerator):
        raise InrvidError(
            f"{type(generator).__name__}: has no style vector w (it does not derive from "
            "inrvid.components.generator.StyleGenerator)\n"
            "  optimise or interpolate `content` instead of `w`"
        )
    return generator


def style_of(generator: Generator, z_content: Tensor) -> Tensor:
    """The style vector w `b d_w` that `generator` gives `z_content`."""
    return require_style(generator).style(z_content)


class RenderOptions(TypedDict, total=False):
    """How frames are rendered, beyond the latents and times (every key optional).

    `scale`: grid density (1 by default); `chunking`: videos and frames per generator call
    (`Chunking()` by default); `w` (`b d_w`): replaces style(z_content), a `StyleGenerator`
    only; `on_chunk`: called after each chunk with its number of frames; `classes` (int `b`):
    the class of each video, for a class-conditional generator.
    """

    scale: int
    chunking: Chunking | None
    w: Tensor | None
    on_chunk: OnChunk | None
    classes: Tensor | None


def render(
    generator: Generator,
    z_content: Tensor,
    z_motion: Tensor | None,
    times: Tensor,
    **options: Unpack[RenderOptions],
) -> Tensor:
    """Render float frames `b t c h w` (unbounded) at `times` (`t` shared, or `b t`), in chunks.

    `options`: see `RenderOptions`. Gradients flow when called with grad enabled (inversion);
    otherwise wrap in no_grad.
    """
    chunks = [
        frames for _, _, frames in iter_chunks(generator, z_content, z_motion, times, **options)
    ]
    return _assemble(chunks, z_content.shape[0], times.shape[-1])


@torch.no_grad()
def render_uint8(
    generator: Generator,
    z_content: Tensor,
    z_motion: Tensor | None,
    times: Tensor,
    **options: Unpack[RenderOptions],
) -> Tensor:
    """As `render`, without gradients, into a preallocated uint8 `b t c h w` on the CPU.

    Float frames exist one chunk at a time: peak float memory is that of one chunk.
    """
    out: Tensor | None = None
    for video_start, frame_start, frames in iter_chunks(
        generator, z_content, z_motion, times, **options
    ):
        if out is None:
            b, t = z_content.shape[0], times.shape[-1]
            out = torch.empty((b, t, *frames.shape[2:]), dtype=torch.uint8)       # b t c h w
        vb, ft = frames.shape[:2]
        out[video_start : video_start + vb, frame_start : frame_start + ft] = to_uint8(frames)
    assert out is not None
    return out


def iter_chunks(
    generator: Generator,
    z_content: Tensor,
    z_motion: Tensor | None,
    times: Tensor,
    **options: Unpack[RenderOptions],
) -> Iterator[tuple[int, int, Tensor]]:
    """Yield `(first video, first frame, frames b' t' c h w)` chunk by chunk, videos outermost."""
    scale = options.get("scale", 1)
    check_scale(generator, scale)
    chunking = options.get("chunking") or Chunking()
    w, classes = options.get("w"), options.get("classes")
    on_chunk = options.get("on_chunk")
    device = next(generator.parameters()).device
    b = z_content.shape[0]
    times_bt = times if times.dim() == 2 else times[None].expand(b, -1)            # b t
    t = times_bt.shape[1]
    for v in range(0, b, chunking.videos):
        zc = z_content[v : v + chunking.videos].to(device)                         # b' d
        zm = None if z_motion is None else z_motion[v : v + chunking.videos].to(device)
        wv = None if w is None else w[v : v + chunking.videos].to(device)          # b' d_w
        cv = class_keywords(generator, None if classes is None
                            else classes[v : v + chunking.videos].to(device))      # b'
        for f in range(0, t, chunking.frames):
            tt = times_bt[v : v + chunking.videos, f : f + chunking.frames].to(device)
            if wv is None:
                frames = generator(zc, zm, tt, scale=scale, **cv)                 # b' t' c h w
            else:
                frames = require_style(generator)(zc, zm, tt, scale=scale, w=wv, **cv)
            if on_chunk is not None:
                on_chunk(frames.shape[0] * frames.shape[1])
            yield v, f, frames


def _assemble(chunks: list[Tensor], videos: int, frames: int) -> Tensor:
    """Chunks in `iter_chunks` order back into `b t c h w`."""
    rows: list[Tensor] = []
    row: list[Tensor] = []
    covered = 0
    for chunk in chunks:
        row.append(chunk)
        covered += chunk.shape[1]
        if covered == frames:
            rows.append(torch.cat(row, dim=1))                                     # b' t c h w
            row, covered = [], 0
    out = torch.cat(rows)                                                          # b t c h w
    assert out.shape[0] == videos
    return out
