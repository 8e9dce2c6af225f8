"""The core reader for every container and codec PyAV (FFmpeg) decodes, with exact seeking.

Frame i is found by seeking to the last keyframe at or before it, then decoding forward and
matching each frame's presentation timestamp against the table of a full decode (`VideoInfo.pts`).
A seek that lands late is detected (the first frame is past the target) and retried from an
earlier keyframe; streams without usable timestamps are decoded from the start and counted.
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.video
import numpy as np
import torch
from einops import rearrange
from torch import Tensor

from inrvid.base.errors import DataError
from inrvid.video.reader import VideoInfo, VideoReader

_VERIFY_FRAMES = 4                                   # frames compared after each keyframe seek
_FIX = "check that the file is complete and that `ffprobe` can read it"


def frame_to_tensor(frame: av.VideoFrame) -> Tensor:
    """A decoded frame as uint8 RGB `c h w` (a channels-last view of the decoded pixels)."""
    array = frame.to_ndarray(format="rgb24")                         # h w c
    return rearrange(torch.from_numpy(array), "h w c -> c h w")


def stack_frames(frames: list[Tensor]) -> Tensor:
    """Frames `c h w` stacked as `f c h w`, stored channels-last (what resizing wants)."""
    hwc = torch.stack([rearrange(f, "c h w -> h w c") for f in frames])  # f h w c
    return rearrange(hwc, "f h w c -> f c h w")


def open_container(path: Path) -> av.container.InputContainer:
    """Open `path` with PyAV; a `DataError` names the file and the reason if it cannot."""
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a video file\n  remove or rename it")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"{path}: cannot stat the file: {exc.strerror}\n  {_FIX}") from exc
    if size == 0:
        raise DataError(f"{path}: empty file: got 0 bytes, expected a video\n  {_FIX}")
    try:
        container = av.open(str(path), mode="r")
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise DataError(
            f"{path}: PyAV cannot open it: {reason}; expected a video container FFmpeg reads "
            f"(a cut-off mp4 loses its index and fails here)\n  {_FIX}"
        ) from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file: {exc.strerror}\n  {_FIX}") from exc
    if not container.streams.video:
        container.close()
        raise DataError(f"{path}: no video stream: got only audio/data streams\n  {_FIX}")
    return container


def _digest(frame: av.VideoFrame) -> int:
    """A checksum of a decoded frame's pixels (native format; RGB if that has no array form)."""
    try:
        array = frame.to_ndarray()
    except ValueError:
        array = frame.to_ndarray(format="rgb24")
    if isinstance(array, tuple):                      # pal8: (indices, palette)
        return zlib.crc32(b"".join(np.ascontiguousarray(a).tobytes() for a in array))
    return zlib.crc32(np.ascontiguousarray(array).tobytes())


def _stream_fps(stream: av.video.VideoStream) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate > 0:
            return float(rate)
    return None


class PyAVReader(VideoReader):
    """Exact random access into one file that PyAV decodes (AVI, MP4, WebM, GIF, images...)."""

    def __init__(self, path: Path, *, threads: int = 1) -> None:
        super().__init__(path)
        self.threads = threads
        self._container: av.container.InputContainer | None = None
        self._frames: Iterator[av.VideoFrame] | None = None
        self._next: int | None = None          # index of the frame the iterator yields next
        self._pts_index: dict[int, int] | None = None
        self._primed = False
        self._open()

    # -- container handling -------------------------------------------------------------
    def _open(self, threads: int | None = None) -> av.container.InputContainer:
        if self._container is None:
            self._container = open_container(self.path)
            stream = self._container.streams.video[0]
            count = self.threads if threads is None else threads
            stream.thread_count = count
            if count != 1:
                stream.thread_type = "AUTO"
            self._primed = False
        return self._container

    def _prime(self, container: av.container.InputContainer) -> None:
        """Decode the first frame once, so the decoder sees the stream's opening headers.

        Some encoders put settings the decoder needs in the first packet only (x264 writes its
        version there, and FFmpeg decodes old 4:4:4 x264 streams differently without it).
        """
        if not self._primed:
            next(iter(container.decode(container.streams.video[0])), None)
            self._primed = True

    def close(self) -> None:
        """Close the container; the next read reopens it."""
        if self._container is not None:
            self._container.close()
        self._container = None
        self._frames = None
        self._next = None

    def _decode(self) -> Iterator[av.VideoFrame]:
        container = self._open()
        return container.decode(container.streams.video[0])

    # -- metadata ------------------------------------------------------------------------
    def scan(self) -> VideoInfo:
        """Decode every frame once: frame count, fps, size, timestamps and verified keyframes."""
        self.close()
        container = self._open(threads=0)                            # 0: FFmpeg picks
        stream = container.streams.video[0]
        pts: list[int | None] = []
        keys: list[int] = []
        digests: dict[int, int] = {}                 # index -> digest, near each keyframe
        width = height = 0
        error = ""
        try:
            for frame in container.decode(stream):
                if not pts:
                    width, height = frame.width, frame.height
                if frame.key_frame:
                    keys.append(len(pts))
                if keys and len(pts) - keys[-1] < _VERIFY_FRAMES:
                    digests[len(pts)] = _digest(frame)
                pts.append(frame.pts)
        except (av.FFmpegError, OSError) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}"
        claimed = stream.frames or None
        fps = _stream_fps(stream)
        if fps is None:
            fps = self._fps_from_pts(pts, stream.time_base)
        codec = stream.codec_context.name
        self.close()
        table: tuple[int, ...] | None = None
        if all(p is not None for p in pts) and len(set(pts)) == len(pts):
            table = tuple(p for p in pts if p is not None)
        keyframes: tuple[int, ...] = (0,)
        if table is not None:
            keyframes = (0, *self._verified_keyframes(table, [k for k in keys if k], digests))
        return VideoInfo(
            frames=len(pts), fps=fps, width=width, height=height, keyframes=keyframes,
            pts=table, claimed_frames=claimed, codec=codec, error=error,
        )

    def _verified_keyframes(
        self, table: tuple[int, ...], keys: list[int], digests: dict[int, int]
    ) -> list[int]:
        """The keyframes from which a seek decodes the same frames as the sequential decode."""
        index = {p: i for i, p in enumerate(table)}
        good = []
        for key in keys:
            self.close()
            container = self._open()
            stream = container.streams.video[0]
            try:
                self._prime(container)
                container.seek(table[key], stream=stream, backward=True)
                same = False
                for frame in container.decode(stream):
                    i = index.get(frame.pts) if frame.pts is not None else None
                    if i is None or i < key:
                        continue
                    if i not in digests or _digest(frame) != digests[i]:
                        break
                    if i >= key + _VERIFY_FRAMES - 1 or i + 1 == len(table):
                        same = True
                        break
            except (av.FFmpegError, OSError):
                same = False
            if same:
                good.append(key)
        self.close()
        return good

    @staticmethod
    def _fps_from_pts(pts: list[int | None], time_base: Fraction | None) -> float:
        known = [p for p in pts if p is not None]
        if len(known) < 2 or time_base is None or max(known) == min(known):
            return 25.0
        return float((len(known) - 1) / ((max(known) - min(known)) * time_base))

    # -- decoding ------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Tensor]:
        """Every frame in order from the start (sequential decode)."""
        self.close()
        try:
            for frame in self._decode():
                yield frame_to_tensor(frame)
        except (av.FFmpegError, OSError):
            return                                   # a cut-off file: its decodable frames
        finally:
            self.close()

    def read(self, indices: Sequence[int]) -> Tensor:
        """Frames `indices` as uint8 `f c h w`, exact (seek to a keyframe, decode forward)."""
        wanted = self._check_indices(indices)
        got: dict[int, Tensor] = {}
        for target in sorted(set(wanted)):
            got[target] = self._frame_at(target)
        return stack_frames([got[i] for i in wanted])                # f c h w

    def _identify(self, frame: av.VideoFrame) -> int | None:
        """The sequential-decode index of a frame from its timestamp (None: not in the table)."""
        if self._pts_index is None:
            pts = self.info.pts
            self._pts_index = {} if pts is None else {p: i for i, p in enumerate(pts)}
        if frame.pts is None:
            return None
        return self._pts_index.get(frame.pts)

    def _restart(self) -> None:
        """Decode from the very start (reopening is the one seek every format supports)."""
        self.close()
        self._frames = self._decode()
        self._next = 0

    def _seek_keyframe(self, key: int) -> None:
        """Position the decoder at keyframe `key` (its index); `_next` becomes unknown."""
        info = self.info
        if key == 0 or info.pts is None:
            self._restart()
            return
        container = self._open()
        try:
            self._prime(container)
            container.seek(info.pts[key], stream=container.streams.video[0], backward=True)
        except av.FFmpegError:
            self._restart()
            return
        self._frames = container.decode(container.streams.video[0])
        self._next = None

    def _frame_at(self, target: int) -> Tensor:
        info = self.info
        keys = info.keyframes if info.pts is not None else (0,)
        key_pos = bisect.bisect_right(keys, target) - 1
        behind = self._next is None or self._next > target
        starts: list[int | None] = []
        if not (self._frames is None or behind or keys[key_pos] > (self._next or 0)):
            starts.append(None)                      # keep decoding from where we are
        # The keyframe before the target, one earlier in case a seek lands late, then the start.
        starts += sorted({keys[key_pos], keys[max(key_pos - 1, 0)], 0}, reverse=True)
        for start in starts:
            if start is not None:
                self._seek_keyframe(start)
            found = self._advance_to(target)
            if found is not None:
                return found
        raise DataError(
            f"{self.path}: frame {target}: got no frame with its timestamp, expected one of "
            f"{info.frames} frames (the file changed since it was indexed?)\n"
            "  rebuild the dataset index"
        )

    def _advance_to(self, target: int) -> Tensor | None:
        """Decode forward to frame `target`; None if the decoder is already past it."""
        assert self._frames is not None
        counting = self.info.pts is None
        try:
            for frame in self._frames:
                if counting:
                    index: int | None = self._next
                else:
                    index = self._identify(frame)
                    if index is None:
                        continue                     # a frame the sequential decode never gives
                self._next = None if index is None else index + 1
                if index == target:
                    return frame_to_tensor(frame)
                if index is not None and index > target:
                    return None
        except (av.FFmpegError, OSError) as exc:
            self.close()
            raise DataError(
                f"{self.path}: decoding failed on the way to frame {target}: {exc}\n  {_FIX}"
            ) from exc
        self.close()
        if counting:
            raise DataError(
                f"{self.path}: frame {target} requested, got only {self._next} frames; "
                f"expected {self.info.frames} (the file changed since it was indexed?)\n"
                "  rebuild the dataset index"
            )
        return None
