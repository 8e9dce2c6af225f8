"""The core's `inrvid_open_video` implementation: PyAV for files, images for frame folders."""

from __future__ import annotations

from pathlib import Path

from inrvid.components.markers import hookimpl
from inrvid.video.frames import FrameFolderReader
from inrvid.video.pyav_reader import PyAVReader
from inrvid.video.reader import VideoReader


@hookimpl(trylast=True)
def inrvid_open_video(path: Path) -> VideoReader | None:
    """Open `path` with PyAV (a file) or as a frame folder (a directory of images).

    Being the last reader tried, it raises `DataError` with the reason instead of returning
    None, so that `open_video` can say why nothing decodes the file.
    """
    path = Path(path)
    if path.is_dir():
        return FrameFolderReader(path)
    return PyAVReader(path)
