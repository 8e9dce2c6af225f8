"""Video I/O: read any container PyAV decodes and frame folders, exactly; write MP4, GIF, grids.

`open_video(path, plugins)` asks the loaded plug-ins' `inrvid_open_video` hook for a reader
(plug-in readers first, the core PyAV and frame-folder reader last) and returns a
`VideoReader` with exact random access to frame i; without `plugins`, the core reader alone.

This layer imports `inrvid.base` and `inrvid.components`; the plug-ins reach it as the
`HookCaller` they are passed as, never by import.
"""

from __future__ import annotations

from pathlib import Path

from inrvid.base.errors import DataError
from inrvid.base.pixels import to_uint8
from inrvid.components.registry import HookCaller
from inrvid.video import hooks
from inrvid.video.reader import VideoInfo, VideoReader
from inrvid.video.writer import tile_grid, write_gif, write_grid, write_video

__all__ = [
    "VideoInfo",
    "VideoReader",
    "open_video",
    "tile_grid",
    "to_uint8",
    "write_gif",
    "write_grid",
    "write_video",
]


def open_video(path: str | Path, plugins: HookCaller | None = None) -> VideoReader:
    """A reader for the video file or frame folder at `path`.

    `plugins`: the loaded plug-ins, whose readers are tried before the core's; None: the
    core's reader only. Raises `DataError` naming the file and the reason when no reader can
    decode it.
    """
    target = Path(path)
    if not target.exists():
        raise DataError(
            f"{target.resolve()}: no such file or folder, expected a video or a folder of frames"
            "\n  check the path"
        )
    if plugins is None:
        reader = hooks.inrvid_open_video(target)
    else:
        found = plugins.call_hook("inrvid_open_video", first=True, path=target)
        reader = found[0] if found else None
    if reader is None:
        raise DataError(
            f"{target}: no reader decodes it: got a path no installed reader accepts, expected "
            "a video file or a folder of frames\n  `inrvid plugins` lists the readers' plug-ins"
        )
    if not isinstance(reader, VideoReader):
        raise DataError(f"{target}: a plug-in reader returned {type(reader).__name__}, "
                        "expected a VideoReader\n  report it to that plug-in's authors")
    return reader
