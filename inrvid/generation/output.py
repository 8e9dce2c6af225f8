"""Writing generated videos: one file per video plus a grid, as MP4, GIF or PNG frames."""

from __future__ import annotations

from pathlib import Path

import av
from einops import rearrange
from torch import Tensor

from inrvid.base import files
from inrvid.base.errors import DataError
from inrvid.base.tensor import expect_shape
from inrvid.generation.arguments import FORMATS, Format
from inrvid.video import tile_grid, write_video


def write_png(path: Path, frame: Tensor) -> None:
    """Write one uint8 `c h w` RGB frame as a PNG file (PyAV's PNG encoder)."""
    expect_shape(frame, "c h w", c=3)
    codec = av.CodecContext.create("png", "w")
    assert isinstance(codec, av.video.codeccontext.VideoCodecContext)
    codec.width, codec.height = int(frame.shape[2]), int(frame.shape[1])
    codec.pix_fmt = "rgb24"
    image = av.VideoFrame.from_ndarray(rearrange(frame, "c h w -> h w c").numpy(), format="rgb24")
    packets = [*codec.encode(image), *codec.encode(None)]
    files.write_bytes(path, b"".join(bytes(p) for p in packets))


def write_frames(folder: Path, video: Tensor) -> Path:
    """Write uint8 `t c h w` as `folder/frame-0000.png`, ... and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(video):
        write_png(folder / f"frame-{i:04d}.png", frame)
    return folder


def file_name(stem: str, fmt: Format) -> str:
    """`<stem>.mp4`, `<stem>.gif`, or `<stem>` (a folder of PNG frames)."""
    return stem if fmt == "png" else f"{stem}.{fmt}"


def set_names(count: int, fmt: Format, prefix: str = "video") -> tuple[list[str], str]:
    """The names `write_set` gives `count` videos and their grid."""
    return [file_name(f"{prefix}-{i:03d}", fmt) for i in range(count)], file_name("grid", fmt)


def write_one(path_stem: Path, video: Tensor, fps: float, fmt: Format) -> Path:
    """Write uint8 `t c h w` as `<stem>.mp4`, `<stem>.gif` or the folder `<stem>/` of PNGs."""
    path = path_stem.with_name(file_name(path_stem.name, fmt))
    if fmt == "png":
        return write_frames(path, video)
    write_video(path, video, fps)
    return path


def write_set(
    folder: Path,
    videos: Tensor,
    fps: float,
    fmt: Format,
    *,
    columns: int | None = None,
    prefix: str = "video",
) -> list[Path]:
    """Write `b t c h w` uint8 as `<prefix>-000...` (one per video) and `grid`; the paths."""
    if fmt not in FORMATS:
        raise DataError(f"--format: got '{fmt}', expected one of {', '.join(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    names, grid = set_names(len(videos), fmt, prefix)
    stems = [Path(name).stem for name in [*names, grid]]
    grid_video = tile_grid(videos, columns)
    return [write_one(folder / s, v, fps, fmt) for s, v in zip(stems, [*videos, grid_video],
                                                                  strict=True)]
