"""The `dataset` registry: clips of real video, uint8, with their frame rate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, TypedDict, runtime_checkable

from pydantic import Field
from torch import Tensor
from torch.utils.data import Dataset

from inrvid.components.registry import ComponentConfig, VideoSpec


class DatasetConfig(ComponentConfig):
    """Fields every dataset has: the frame size and clip length are set here and only here."""

    resolution: int = Field(
        128, gt=0, description="frames are centre-cropped square and resized to this"
    )
    clip_frames: int = Field(16, gt=1, description="frames per clip")
    hflip: bool = Field(True, description="flip whole clips left-right with probability 1/2")


class ClipItem(TypedDict):
    """One dataset item: `video` uint8 `f c h w`, its class `label` (-1: none), fps, index."""

    video: Tensor
    label: int
    fps: float
    index: int


@dataclass
class SkippedFile:
    """A file left out of a dataset, and why."""

    path: str
    reason: str


@dataclass
class DatasetSummary:
    """What `inrvid data inspect` prints: counts, classes and skipped files with reasons."""

    videos: int
    clips: int
    classes: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    frames: int = 0


class VideoDataset(Dataset[ClipItem]):
    """A map-style dataset of clips: `dataset[i] -> ClipItem` with video `f c h w` uint8.

    f = clip_frames, h = w = resolution. Items are deterministic given the index and the
    epoch (`set_epoch`), including the random flip, so a run resumes exactly. Unreadable
    files are found when the dataset is indexed, reported in `summary()` and left out.
    """

    video_spec: VideoSpec

    def __len__(self) -> int:
        """Number of clips."""
        raise NotImplementedError

    def __getitem__(self, index: int) -> ClipItem:
        """Clip `index` of the current epoch."""
        raise NotImplementedError

    def set_epoch(self, epoch: int) -> None:
        """Select the random draws (flips) of an epoch."""
        self.epoch = epoch

    def summary(self) -> DatasetSummary:
        """Counts, classes and skipped files."""
        raise NotImplementedError


@runtime_checkable
class GroundTruthVideos(Protocol):
    """A dataset that knows its true frames at every real time (e.g. `moving_shapes`).

    `render(video, times)` gives video `video`'s frames at any real `times` (`t`, inside the
    clip, between its frames, before and after it): float `t c h w` in [0, 1], unflipped, at
    the dataset's resolution. `held_out_videos(count)` names `count` videos of the same
    distribution that no training clip shows. Ground-truth scores (`inrvid study`'s
    prediction score, `benchmarks/extrapolation.py`) need a dataset with both.
    """

    def render(self, video: int, times: Tensor, resolution: int | None = None) -> Tensor:
        """Frames of `video` at `times`: float `t c h w` in [0, 1]."""
        ...

    def held_out_videos(self, count: int) -> list[int]:
        """`count` video indices that are never in training."""
        ...
