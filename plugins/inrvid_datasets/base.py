"""The indexed clip dataset every file-based dataset of this plug-in builds on."""

from __future__ import annotations

import bisect
import statistics
import warnings
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import av
import torch
from pydantic import Field

from inrvid.base.errors import DataError
from inrvid.base.pixels import centre_crop_resize
from inrvid.components.dataset import (
    ClipItem,
    DatasetConfig,
    DatasetSummary,
    SkippedFile,
    VideoDataset,
)
from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.video import VideoInfo, VideoReader, open_video
from inrvid.video.frames import FrameFolderReader
from inrvid_datasets.index import DatasetIndex
from inrvid_datasets.layout import ClipLayout
from inrvid_datasets.transforms import flip_decision

MAX_SUBSTITUTES = 8                      # clips tried in place of one whose file fails to decode


class FileDatasetConfig(DatasetConfig):
    """Options shared by the datasets that read files: where they are and how to index them."""

    root: str = Field("data", description="folder holding the dataset (relative: to the cwd)")
    index_dir: str | None = Field(
        None, description="folder for the index file; None: $INRVID_CACHE if set, else beside "
        "the data when writable, else ~/.cache/inrvid",
    )
    index_workers: int = Field(1, ge=1, description="processes that decode videos when indexing")
    fps: float | None = Field(
        None, gt=0, description="frame rate reported with clips; None: each video's own "
        "(25 for frame folders)",
    )
    keep_truncated: bool = Field(
        False, description="keep videos that decode only partly (header claims more frames); "
        "by default they are reported and left out",
    )


@dataclass(frozen=True)
class Video:
    """One usable video of a dataset."""

    path: Path
    label: int
    info: VideoInfo


class IndexedVideoDataset(VideoDataset):
    """Clips cut from indexed videos by a `ClipLayout`, cropped, resized and maybe flipped.

    Subclasses find their files and labels and call `_build(candidates, layout)`. Clip i of
    the dataset is found by binary search over the cumulative clip counts of the videos.
    """

    def __init__(self, cfg: FileDatasetConfig, ctx: BuildContext, root: Path) -> None:
        self.cfg = cfg
        self.seed = ctx.seed
        self.plugins = ctx.plugins  # whose readers open the videos
        self.epoch = 0
        self.root = root
        self.videos: list[Video] = []
        self.classes: list[str] = []
        self.skipped: list[SkippedFile] = []
        self.layout = ClipLayout(cfg.clip_frames, step=1)
        self._starts: list[int] = [0]
        self.index_file: Path | None = None

    # -- building ----------------------------------------------------------------------------
    def _build(self, candidates: list[tuple[Path, int]], layout: ClipLayout) -> None:
        """Index `candidates` (path, label), keep those with at least one clip, set the spec."""
        self.layout = layout
        index = DatasetIndex(self.root, self.cfg.index_dir, self.cfg.index_workers, self.plugins)
        self.index_file = index.file
        entries = index.lookup([p for p, _ in candidates], f"indexing {type(self).__name__}")
        for (path, label), entry in zip(candidates, entries, strict=True):
            if entry.info is None:
                self.skipped.append(SkippedFile(str(path), entry.reason))
                continue
            truncated = entry.info.truncation()
            if truncated and not self.cfg.keep_truncated:
                self.skipped.append(SkippedFile(str(path), truncated))
                continue
            if layout.count(entry.info.frames) == 0:
                self.skipped.append(SkippedFile(
                    str(path), f"too short: got {entry.info.frames} frames, expected at least "
                    f"{layout.span} for one clip"))
                continue
            self.videos.append(Video(path, label, entry.info))
        counts = [layout.count(v.info.frames) for v in self.videos]
        self._starts = [0, *accumulate(counts)]
        if not self.videos:
            raise DataError(
                f"{type(self).__name__} at {self.root}: no usable video: got "
                f"{len(candidates)} candidates, {len(self.skipped)} left out, expected at least "
                f"one with {layout.span}+ frames\n  run `inrvid data inspect` to see the reasons"
            )
        fps = self.cfg.fps or statistics.median(v.info.fps for v in self.videos)
        res = self.cfg.resolution
        self.video_spec = VideoSpec(frames=self.cfg.clip_frames, height=res, width=res, fps=fps)

    # -- the Dataset protocol ----------------------------------------------------------------
    def __len__(self) -> int:
        """Number of clips."""
        return self._starts[-1]

    def locate(self, index: int) -> tuple[Video, list[int]]:
        """The video of clip `index` and the source frame indices of the clip."""
        if not 0 <= index < len(self):
            raise IndexError(f"clip {index} requested, the dataset has {len(self)} clips")
        v = bisect.bisect_right(self._starts, index) - 1
        return self.videos[v], self.layout.indices(index - self._starts[v])

    def flipped(self, index: int) -> bool:
        """Whether clip `index` is flipped left-right in the current epoch."""
        return self.cfg.hflip and flip_decision(self.seed, self.epoch, index)

    def __getitem__(self, index: int) -> ClipItem:
        """Clip `index`: uint8 `f c h w`; a clip whose file fails is replaced by the next one."""
        failures = []
        for attempt in range(MAX_SUBSTITUTES):
            candidate = (index + attempt * max(1, len(self) // MAX_SUBSTITUTES + 1)) % len(self)
            try:
                video = self.load_clip(candidate)
            except (DataError, av.FFmpegError, OSError) as exc:
                failures.append(str(exc).split("\n")[0])
                continue
            if attempt:
                warnings.warn(f"clip {index}: its file failed ({failures[0]}); "
                              f"used clip {candidate} instead", stacklevel=2)
            if self.flipped(index):
                video = video.flip(-1)
            owner, _ = self.locate(candidate)
            return ClipItem(video=video, label=owner.label, fps=self.fps_of(owner), index=index)
        raise DataError(f"clip {index}: {MAX_SUBSTITUTES} clips in a row failed to decode: "
                        f"{failures[0]}\n  rebuild the index (`inrvid data prepare`)")

    def fps_of(self, video: Video) -> float:
        """The frame rate reported with this video's clips."""
        return self.cfg.fps or video.info.fps

    def open(self, video: Video) -> VideoReader:
        """A reader for `video` that reuses its indexed info."""
        reader = open_video(video.path, self.plugins)
        if isinstance(reader, FrameFolderReader) and self.cfg.fps:
            reader.folder_fps = self.cfg.fps
        reader.use_info(video.info)
        return reader

    def load_clip(self, index: int) -> torch.Tensor:
        """Clip `index` before the flip: uint8 `f c h w` at the configured resolution."""
        video, frames = self.locate(index)
        with self.open(video) as reader:
            clip = reader.read(frames)                                # f c H W
        return centre_crop_resize(clip, self.cfg.resolution)          # f c r r

    def summary(self) -> DatasetSummary:
        """Counts, classes and skipped files with reasons."""
        return DatasetSummary(
            videos=len(self.videos), clips=len(self), classes=list(self.classes),
            skipped=list(self.skipped), frames=sum(v.info.frames for v in self.videos),
        )
