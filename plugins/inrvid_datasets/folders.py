"""Datasets over folder trees: `video_folder`, `frame_folder` (Sky Time-lapse), `taichi`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from inrvid.components.registry import BuildContext
from inrvid_datasets.base import FileDatasetConfig, IndexedVideoDataset
from inrvid_datasets.files import (
    VIDEO_SUFFIXES,
    find_frame_folders,
    find_videos,
    require_folder,
    top_folder,
)
from inrvid_datasets.layout import ClipLayout, digan_layout


class VideoFolderConfig(FileDatasetConfig):
    """A tree of video files; optionally one subfolder per class."""

    class_folders: bool = Field(
        False, description="label each video by its top-level subfolder (classes sorted by name)"
    )
    extensions: list[str] = Field(
        default_factory=lambda: list(VIDEO_SUFFIXES),
        description="file name endings that count as videos (case-insensitive)",
    )
    exclude: list[str] = Field(
        default_factory=list, description="glob patterns of relative paths (or path parts) to skip"
    )
    clip_step: int | None = Field(
        None, ge=1, description="frames between clip starts; None: clip_frames (non-overlapping)"
    )
    frame_stride: int = Field(1, ge=1, description="source frames between consecutive clip frames")


class VideoFolder(IndexedVideoDataset):
    """Every video under `root` (any container PyAV decodes), cut into clips."""

    def __init__(self, cfg: VideoFolderConfig, ctx: BuildContext) -> None:
        root = require_folder(cfg.root, "root", "video_folder", "a folder of video files")
        super().__init__(cfg, ctx, root)
        suffixes = tuple(e.lower() if e.startswith(".") else f".{e.lower()}"
                         for e in cfg.extensions)
        paths = find_videos(root, suffixes, cfg.exclude)
        labels = self._labels(paths, cfg.class_folders)
        layout = ClipLayout(cfg.clip_frames, step=cfg.clip_step or cfg.clip_frames,
                            frame_stride=cfg.frame_stride)
        self._build(list(zip(paths, labels, strict=True)), layout)

    def _labels(self, paths: list[Path], class_folders: bool) -> list[int]:
        if not class_folders:
            return [-1] * len(paths)
        self.classes = sorted({top_folder(p, self.root) for p in paths} - {""})
        lookup = {name: i for i, name in enumerate(self.classes)}
        return [lookup.get(top_folder(p, self.root), -1) for p in paths]


class FrameFolderConfig(FileDatasetConfig):
    """A tree of frame folders: every folder that directly holds images is one video."""

    exclude: list[str] = Field(
        default_factory=list,
        description="glob patterns of relative folder paths (or path parts) to skip, e.g. "
        "['*val*'] as DIGAN's Sky Time-lapse loader does",
    )
    clip_step: int | None = Field(
        None, ge=1, description="frames between clip starts; None: clip_frames (non-overlapping)"
    )


class FrameFolder(IndexedVideoDataset):
    """Sky Time-lapse style: sorted frames of each folder cut into non-overlapping clips."""

    def __init__(self, cfg: FrameFolderConfig, ctx: BuildContext) -> None:
        root = require_folder(cfg.root, "root", "frame_folder",
                              "a tree with one folder of .jpg/.png frames per video")
        super().__init__(cfg, ctx, root)
        folders = find_frame_folders(root, cfg.exclude)
        layout = ClipLayout(cfg.clip_frames, step=cfg.clip_step or cfg.clip_frames)
        self._build([(f, -1) for f in folders], layout)


class TaiChiConfig(FileDatasetConfig):
    """TaiChi-HD: videos or frame folders, anywhere under `root`."""

    frame_stride: int = Field(
        4, ge=1, description="use every n-th frame: chunks of n*clip_frames frames give n clips "
        "with phase offsets 0..n-1 (DIGAN: 4)",
    )
    exclude: list[str] = Field(
        default_factory=list, description="glob patterns of relative paths (or path parts) to skip"
    )


class TaiChi(IndexedVideoDataset):
    """TaiChi-HD as DIGAN cuts it: 64-frame chunks split into 4 clips of every 4th frame."""

    def __init__(self, cfg: TaiChiConfig, ctx: BuildContext) -> None:
        root = require_folder(cfg.root, "root", "taichi",
                              "TaiChi-HD videos (.mp4) or frame folders, e.g. train/ and test/")
        super().__init__(cfg, ctx, root)
        found = find_videos(root, VIDEO_SUFFIXES, cfg.exclude)
        found += find_frame_folders(root, cfg.exclude)
        paths = sorted(found, key=lambda p: p.relative_to(root).as_posix())
        if cfg.frame_stride == 4:
            layout = digan_layout("taichi", cfg.clip_frames)
        else:
            s = cfg.frame_stride
            layout = ClipLayout(cfg.clip_frames, step=s * cfg.clip_frames, frame_stride=s, phases=s)
        self._build([(p, -1) for p in paths], layout)
