"""Frame folders (one image per frame, e.g. Sky Time-lapse), decoded with PyAV like videos."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import av
from torch import Tensor

from inrvid.base.errors import DataError
from inrvid.video.pyav_reader import frame_to_tensor, stack_frames
from inrvid.video.reader import VideoInfo, VideoReader

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
DEFAULT_FOLDER_FPS = 25.0


def natural_key(name: str) -> list[int | str]:
    """Sort key that orders `img_2` before `img_10`."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)]


def image_files(folder: Path) -> list[Path]:
    """The image files directly inside `folder`, in natural order (hidden files skipped)."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise DataError(f"{folder}: cannot list the folder: {exc.strerror}") from exc
    images = [
        p for p in entries
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(images, key=lambda p: natural_key(p.name))


def decode_image(path: Path) -> Tensor:
    """One image file as uint8 RGB `c h w`; a `DataError` names the file if it does not decode."""
    try:
        with av.open(str(path), mode="r") as container:
            for frame in container.decode(video=0):
                return frame_to_tensor(frame)
    except (av.FFmpegError, OSError) as exc:
        raise DataError(f"{path}: image does not decode: {exc}\n  replace or remove it") from exc
    raise DataError(f"{path}: image has no frame\n  replace or remove it")


class FrameFolderReader(VideoReader):
    """A folder of images read as a video: frame i is the i-th image in natural order.

    A folder has no frame rate of its own: `fps` is given (default 25). Every frame is a
    keyframe, so random access costs one image decode.
    """

    def __init__(self, path: Path, *, fps: float = DEFAULT_FOLDER_FPS) -> None:
        super().__init__(path)
        self.files = image_files(path)
        if not self.files:
            raise DataError(
                f"{path}: is a directory without frames: got no image files, expected a video "
                f"file or a folder of {', '.join(sorted(IMAGE_SUFFIXES))} frames\n"
                "  remove it, or point at a folder of frames"
            )
        self.folder_fps = fps

    def scan(self) -> VideoInfo:
        """Decode every image: the frames are the images before the first that fails."""
        width = height = 0
        error = ""
        count = 0
        for path in self.files:
            try:
                frame = decode_image(path)
            except DataError as exc:
                error = str(exc).split("\n")[0]
                break
            if count == 0:
                height, width = int(frame.shape[1]), int(frame.shape[2])
            elif (frame.shape[1], frame.shape[2]) != (height, width):
                error = f"{path.name}: size {tuple(frame.shape[1:])} differs from {(height, width)}"
                break
            count += 1
        return VideoInfo(
            frames=count, fps=self.folder_fps, width=width, height=height,
            keyframes=tuple(range(count)) or (0,), pts=tuple(range(count)),
            claimed_frames=len(self.files), codec="images", error=error,
        )

    def read(self, indices: Sequence[int]) -> Tensor:
        """Frames `indices` as uint8 `f c h w` (one image decode each)."""
        wanted = self._check_indices(indices)
        return stack_frames([decode_image(self.files[i]) for i in wanted])  # f c h w

    def __iter__(self) -> Iterator[Tensor]:
        """Every frame in order."""
        for i in range(self.info.frames):
            yield decode_image(self.files[i])
