"""Writing videos: MP4 (H.264 where PyAV's FFmpeg has it), GIF, and grids of several videos."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor

from inrvid.base import files
from inrvid.base.errors import DataError
from inrvid.base.tensor import expect_shape

H264_ENCODERS = ("libx264", "libopenh264")
FALLBACK_ENCODERS = ("mpeg4",)


def has_encoder(name: str) -> bool:
    """Whether PyAV's FFmpeg build can encode with `name`."""
    try:
        av.codec.Codec(name, "w")
    except (av.FFmpegError, ValueError):
        return False
    return True


def choose_encoder(preferred: str | None = None) -> str:
    """`preferred` if given, else H.264 (libx264 first), else mpeg4 with a warning naming it."""
    if preferred is not None:
        if not has_encoder(preferred):
            raise DataError(
                f"write_video: codec: got '{preferred}', expected an encoder PyAV's FFmpeg has\n"
                f"  leave the codec unset to take the best available ({', '.join(H264_ENCODERS)}"
                f" or {', '.join(FALLBACK_ENCODERS)})"
            )
        return preferred
    for name in H264_ENCODERS:
        if has_encoder(name):
            if name != H264_ENCODERS[0]:
                warnings.warn(f"libx264 is not in PyAV's FFmpeg; writing H.264 with {name}",
                              stacklevel=3)
            return name
    for name in FALLBACK_ENCODERS:
        if has_encoder(name):
            warnings.warn(f"PyAV's FFmpeg has no H.264 encoder; writing MPEG-4 Part 2 with {name}",
                          stacklevel=3)
            return name
    raise DataError("write_video: PyAV's FFmpeg has no H.264 or MPEG-4 encoder\n"
                    "  install a PyAV wheel (they bundle libx264)")


def _check_video(video: Tensor, where: str) -> Tensor:
    if video.dtype != torch.uint8:
        raise DataError(f"{where}: video dtype: got {video.dtype}, expected torch.uint8\n"
                        "  convert with inrvid.video.to_uint8(video, value_range=(-1, 1))")
    expect_shape(video, "f c h w", c=3)
    if video.shape[0] == 0:
        raise DataError(f"{where}: video: got 0 frames, expected at least 1")
    return video.cpu()


def write_video(
    path: str | Path,
    video: Tensor,
    fps: float,
    *,
    codec: str | None = None,
    crf: int = 18,
    preset: str = "medium",
) -> str:
    """Write uint8 `f c h w` frames to `path` (.gif: a GIF; otherwise MP4) and return the codec.

    H.264 is written as yuv420p when height and width are even (plays everywhere) and as
    yuv444p otherwise. `crf` is x264's constant rate factor (0 = lossless luma, 18 = visually
    lossless). The file appears whole or not at all (written aside, then renamed).
    """
    path = Path(path)
    if path.suffix.lower() == ".gif":
        write_gif(path, video, fps)
        return "gif"
    video = _check_video(video, f"write_video({path})")
    _, _, height, width = video.shape
    encoder = choose_encoder(codec)
    rate = Fraction(fps).limit_denominator(1001)
    with (
        files.atomic_path(path) as partial,
        av.open(str(partial), mode="w", format="mp4") as container,
    ):
        stream = container.add_stream(encoder, rate=rate)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = width, height
        even = height % 2 == 0 and width % 2 == 0
        if encoder == "libx264":
            stream.pix_fmt = "yuv420p" if even else "yuv444p"
            stream.options = {"crf": str(crf), "preset": preset}
        else:
            stream.pix_fmt = "yuv420p"
            stream.bit_rate = max(int(12 * width * height * float(rate)), 400_000)
        for i, frame in enumerate(video):
            av_frame = av.VideoFrame.from_ndarray(
                rearrange(frame, "c h w -> h w c").numpy(), format="rgb24"
            )
            av_frame.pts = i
            av_frame.time_base = 1 / rate
            for packet in stream.encode(av_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return encoder


def median_cut_palette(pixels: Tensor, colours: int = 256) -> Tensor:
    """A palette for RGB `pixels` (`n 3`, uint8) by median cut: `colours 3` uint8."""
    boxes = [pixels.numpy().astype(np.float32)]
    spans = [_span(boxes[0])]
    while len(boxes) < colours:
        pick = int(np.argmax([s.max() for s in spans]))
        if spans[pick].max() <= 0:
            break
        box, span = boxes.pop(pick), spans.pop(pick)
        order = np.argsort(box[:, int(span.argmax())], kind="stable")
        half = len(box) // 2
        for part in (box[order[:half]], box[order[half:]]):
            boxes.append(part)
            spans.append(_span(part))
    palette = np.stack([b.mean(0) for b in boxes]).round().clip(0, 255)
    palette = np.concatenate([palette, np.repeat(palette[-1:], colours - len(palette), 0)])
    return torch.from_numpy(palette.astype(np.uint8))                 # colours 3


def _span(box: np.ndarray) -> np.ndarray:
    """Per-channel range of a box of pixels (zero for a box of one pixel)."""
    if len(box) < 2:
        return np.zeros(3, dtype=np.float32)
    return box.max(0) - box.min(0)


def quantise(frame: Tensor, palette: Tensor) -> Tensor:
    """Each pixel of uint8 `c h w` replaced by the index of its nearest palette colour: `h w`."""
    pixels = rearrange(frame.float(), "c h w -> (h w) c")
    nearest = torch.cdist(pixels, palette.float()).argmin(dim=1)       # (h w)
    return rearrange(nearest.to(torch.uint8), "(h w) -> h w", h=frame.shape[1])


def write_gif(path: str | Path, video: Tensor, fps: float) -> None:
    """Write uint8 `f c h w` frames as an animated GIF with one 256-colour median-cut palette.

    GIF stores delays in hundredths of a second, so the frame rate is rounded to 100/k fps.
    """
    path = Path(path)
    video = _check_video(video, f"write_gif({path})")
    sample = rearrange(video[:, :, ::2, ::2], "f c h w -> (f h w) c")
    if len(sample) > 65536:
        sample = sample[torch.linspace(0, len(sample) - 1, 65536).long()]
    palette = median_cut_palette(sample)
    argb = np.zeros((256, 4), dtype=np.uint8)
    argb[:, 0] = 255
    argb[:, 1:] = palette.numpy()
    delay = max(1, round(100 / fps))
    with (
        files.atomic_path(path) as partial,
        av.open(str(partial), mode="w", format="gif") as container,
    ):
        stream = container.add_stream("gif", rate=Fraction(100, delay))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = int(video.shape[3]), int(video.shape[2])
        stream.pix_fmt = "pal8"
        for i, frame in enumerate(video):
            indexed = (quantise(frame, palette).numpy(), argb)       # pal8 takes a pair
            av_frame = av.VideoFrame.from_ndarray(indexed, format="pal8")  # type: ignore[arg-type]
            av_frame.pts = i
            av_frame.time_base = Fraction(delay, 100)
            for packet in stream.encode(av_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def tile_grid(
    videos: Tensor | Sequence[Tensor], columns: int | None = None, padding: int = 2,
    pad_value: int = 0,
) -> Tensor:
    """Tile videos (`b f c h w`, uint8) into one video `f c H W`, row by row.

    `columns` defaults to ceil(sqrt(b)); missing cells of the last row stay `pad_value`.
    Every video needs the same frame count and size.
    """
    stack = torch.stack(list(videos)) if not isinstance(videos, Tensor) else videos
    if stack.dtype != torch.uint8:
        raise DataError(f"tile_grid: dtype: got {stack.dtype}, expected torch.uint8\n"
                        "  convert with inrvid.video.to_uint8")
    sizes = expect_shape(stack, "b f c h w", c=3)
    b = sizes["b"]
    cols = columns or math.ceil(math.sqrt(b))
    rows = math.ceil(b / cols)
    blank = torch.full((rows * cols - b, *stack.shape[1:]), pad_value, dtype=torch.uint8)
    cells = torch.cat([stack, blank])                                 # (rows cols) f c h w
    p = padding
    cells = F.pad(cells, (p, p, p, p), value=pad_value)               # (rows cols) f c h+2p w+2p
    return rearrange(cells, "(r k) f c h w -> f c (r h) (k w)", r=rows, k=cols)


def write_grid(
    path: str | Path,
    videos: Tensor | Sequence[Tensor],
    fps: float,
    *,
    columns: int | None = None,
    padding: int = 2,
    codec: str | None = None,
) -> str:
    """Write several videos (`b f c h w` uint8) tiled into one file (mp4 or gif); the codec."""
    return write_video(path, tile_grid(videos, columns, padding), fps, codec=codec)
