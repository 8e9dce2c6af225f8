"""The `dataset` registry: clips of real video, uint8, with their frame rate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

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
