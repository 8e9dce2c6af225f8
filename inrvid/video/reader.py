"""The `VideoReader` contract and `VideoInfo`, the metadata a full decode pass finds."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import torch
from torch import Tensor


@dataclass(frozen=True)
class VideoInfo:
    """What a full decode of one video found: the frames that really decode and how to seek.

    `pts` holds the presentation timestamp of every frame in decode-output order (frame i has
    `pts[i]`); it is None when the timestamps are missing or repeat, and then a reader finds
    frame i by counting from the start. `keyframes` are frame indices a decode can start from.
    `claimed_frames` is the count the container header states (None: not stated). `error` says
    why decoding stopped before the end of the file ("" if it reached the end).
    """

    frames: int
    fps: float
    width: int
    height: int
    keyframes: tuple[int, ...] = (0,)
    pts: tuple[int, ...] | None = None
    claimed_frames: int | None = None
    codec: str = ""
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def truncation(self, tolerance: float = 0.05) -> str:
        """Why this video looks cut short, or "" if it does not.

        A video is cut short when decoding stopped with an error, or when fewer frames decode
        than the header claims by more than `tolerance` (a fraction) and more than 2 frames.
        """
        if self.error:
            return f"decoding stopped after {self.frames} frames: {self.error}"
        if self.claimed_frames:
            missing = self.claimed_frames - self.frames
            if missing > 2 and missing > tolerance * self.claimed_frames:
                return (
                    f"truncated: the header claims {self.claimed_frames} frames, "
                    f"only {self.frames} decode"
                )
        return ""

    def to_json(self) -> dict[str, Any]:
        """A compact JSON-ready dict; timestamps are stored as arithmetic runs."""
        return {
            "frames": self.frames,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "keyframes": compress_runs(self.keyframes),
            "pts": None if self.pts is None else compress_runs(self.pts),
            "claimed_frames": self.claimed_frames,
            "codec": self.codec,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VideoInfo:
        """The inverse of `to_json`."""
        runs = data.get("pts")
        return cls(
            frames=int(data["frames"]),
            fps=float(data["fps"]),
            width=int(data["width"]),
            height=int(data["height"]),
            keyframes=expand_runs(data.get("keyframes", [[0, 0, 1]])),
            pts=None if runs is None else expand_runs(runs),
            claimed_frames=data.get("claimed_frames"),
            codec=str(data.get("codec", "")),
            error=str(data.get("error", "")),
        )


def compress_runs(values: Sequence[int]) -> list[list[int]]:
    """Integers as `[start, step, count]` runs (a constant-rate stream is one run)."""
    runs: list[list[int]] = []
    i = 0
    while i < len(values):
        start = values[i]
        if i + 1 == len(values):
            runs.append([start, 0, 1])
            break
        step = values[i + 1] - start
        j = i + 1
        while j + 1 < len(values) and values[j + 1] - values[j] == step:
            j += 1
        runs.append([start, step, j - i + 1])
        i = j + 1
    return runs


def expand_runs(runs: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """The inverse of `compress_runs`."""
    out: list[int] = []
    for start, step, count in runs:
        out.extend(start + step * k for k in range(count))
    return tuple(out)


class VideoReader(abc.ABC):
    """Exact random access to the frames of one video (a file or a folder of frames).

    Frames come as uint8 RGB tensors `c h w`; `read(indices)` returns `f c h w` in the order
    asked. Frame i is the i-th frame a sequential decode outputs, whatever path the reader takes
    to reach it. `info` runs a full decode pass the first time it is needed, unless a stored
    info (from a dataset index) was handed over with `use_info`. A reader is not thread-safe;
    open one per worker.
    """

    path: Path

    def __init__(self, path: Path) -> None:
        self.path = path
        self._info: VideoInfo | None = None

    @abc.abstractmethod
    def scan(self) -> VideoInfo:
        """Decode every frame once and return what was found (never raises for bad data)."""

    @abc.abstractmethod
    def read(self, indices: Sequence[int]) -> Tensor:
        """Frames `indices` as uint8 `f c h w`, exactly as a sequential decode gives them."""

    @abc.abstractmethod
    def __iter__(self) -> Iterator[Tensor]:
        """Every frame in order, uint8 `c h w`, decoded sequentially from the start."""

    def close(self) -> None:  # noqa: B027 - optional: readers without open files keep it
        """Release the file (the reader can still reopen it later)."""

    @property
    def info(self) -> VideoInfo:
        """Frame count, fps, size and seek table (a full decode the first time)."""
        if self._info is None:
            self._info = self.scan()
        return self._info

    def use_info(self, info: VideoInfo) -> None:
        """Adopt a stored `VideoInfo` instead of scanning the file again."""
        self._info = info

    def __len__(self) -> int:
        return self.info.frames

    @property
    def fps(self) -> float:
        """Frames per second."""
        return self.info.fps

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) in pixels."""
        return self.info.height, self.info.width

    def frame(self, index: int) -> Tensor:
        """Frame `index` as uint8 `c h w`."""
        return self.read([index])[0]

    def read_all(self) -> Tensor:
        """Every frame as uint8 `f c h w` (mind the memory for long videos)."""
        frames = list(self)
        if not frames:
            return torch.empty(0, 3, self.info.height, self.info.width, dtype=torch.uint8)
        return torch.stack(frames)                                   # f c h w

    def _check_indices(self, indices: Sequence[int]) -> list[int]:
        """Indices as ints within [0, frames); an IndexError names the file otherwise."""
        n = self.info.frames
        out = [int(i) for i in indices]
        bad = [i for i in out if not 0 <= i < n]
        if bad:
            raise IndexError(f"{self.path}: frame {bad[0]} requested, the video has {n} frames")
        return out

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
