"""Video I/O: read any container PyAV decodes and frame folders, exactly; write MP4, GIF, grids.

`open_video(path)` asks the `inrvid_open_video` hook for a reader (plug-in readers first, the
core PyAV reader last) and returns a `VideoReader` with exact random access to frame i.
"""

from __future__ import annotations

from pathlib import Path

from inrvid.base.errors import DataError
from inrvid.base.pixels import to_uint8
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


def open_video(path: str | Path) -> VideoReader:
    """A reader for the video file or frame folder at `path`.

    Raises `DataError` naming the file and the reason when no reader can decode it.
    """
    from inrvid.loading.plugins import (
        call_hook,  # deferred: inrvid.loading.plugins imports our hooks
    )

    target = Path(path)
    if not target.exists():
        raise DataError(
            f"{target.resolve()}: no such file or folder, expected a video or a folder of frames"
            "\n  check the path"
        )
    found = call_hook("inrvid_open_video", first=True, path=target)
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
