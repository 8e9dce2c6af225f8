"""Video sources for evaluation: in-memory tensors, folders of videos and generators.

Each yields uint8 batches `b t c h w` through `iter_videos(count, frames, batch_size)`, the
`inrvid.components.metric.VideoSource` protocol. A source that always yields the same clips
for the same construction arguments sets `cache_key`, which lets metrics reuse cached real
features; the others set it to None.

Real clips of a recipe's dataset come from `RealClips` alone, both during training and in
`inrvid eval`: flips off, drawn from the protocol's seed, with a cache identity.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from inrvid.base.errors import DataError
from inrvid.base.pixels import centre_crop_resize, to_uint8
from inrvid.base.tensor import expect_shape
from inrvid.base.time_axis import clip_times
from inrvid.components.dataset import VideoDataset
from inrvid.components.generator import draw_classes
from inrvid.components.registry import HookCaller
from inrvid.runtime.render import Chunking, render
from inrvid.video import open_video

if TYPE_CHECKING:
    from inrvid.components.generator import Generator
    from inrvid.components.registry import BuildContext, Section
    from inrvid.runtime.scoring.protocols import EvalProtocol, RealSelection

VIDEO_SUFFIXES = (".mp4", ".avi", ".webm", ".mkv", ".mov", ".gif", ".m4v", ".mpg", ".mpeg")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class TensorVideoSource:
    """Videos held in memory: uint8 `n t c h w`, or float in [-1, 1] (cast with rounding).

    With `seed=None` every call yields the first `count` videos in order; with a seed, every
    call draws `count` videos without replacement, fresh per call (trials then differ).
    """

    def __init__(self, videos: Tensor, name: str = "tensor", seed: int | None = None) -> None:
        expect_shape(videos, "n t c h w")
        self.videos = videos if videos.dtype == torch.uint8 else to_uint8(videos)
        self.name = name
        self.cache_key: str | None = None
        self._generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Tensor]:
        """Yield `count` videos of their first `frames` frames, `batch_size` at a time."""
        n, t = self.videos.shape[:2]
        if count > n or frames > t:
            raise DataError(
                f"{self.name}: asked for {count} videos of {frames} frames, "
                f"got {n} videos of {t} frames\n  pass more or longer videos, or lower the counts"
            )
        if self._generator is None:
            order = torch.arange(count)
        else:
            order = torch.randperm(n, generator=self._generator)[:count]
        for start in range(0, count, batch_size):
            yield self.videos[order[start : start + batch_size], :frames]   # b t c h w


class GeneratorVideoSource:
    """Samples of a `inrvid.components.generator.Generator` at times k/(F−1), cast to uint8.

    Latents come from `generator.sample_latents` with a CPU generator seeded by `seed`, which
    advances across calls (every trial gets fresh videos). `time_step` renders frame k at time
    k·time_step instead (e.g. 1/15 extrapolates a 16-frame-trained model to 128 frames).
    `frames_per_call` renders long videos in chunks of times; frames are independent given
    the latents. `truncate` selects DIGAN's truncating uint8 cast. No gradients are kept.
    A class-conditional generator gets uniform random classes from the same stream, or
    `class_index` for every video (per-class evaluation).
    """

    def __init__(
        self,
        generator: Generator,
        *,
        seed: int = 0,
        truncate: bool = False,
        time_step: float | None = None,
        frames_per_call: int | None = None,
        name: str = "generator",
        class_index: int | None = None,
    ) -> None:
        self.generator = generator
        self.class_index = class_index
        self.truncate = truncate
        self.time_step = time_step
        self.frames_per_call = frames_per_call
        self.name = name
        self.cache_key: str | None = None
        self._rng = torch.Generator().manual_seed(seed)

    def times(self, frames: int) -> Tensor:
        """Render times of one video `t`: k/(F−1), or k·time_step."""
        if self.time_step is not None:
            return torch.arange(frames, dtype=torch.float32) * self.time_step
        return clip_times(frames)

    @torch.no_grad()
    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Tensor]:
        """Yield `count` generated videos of `frames` frames as uint8 `b t c h w`."""
        times = self.times(frames)                                           # t
        for start in range(0, count, batch_size):
            b = min(batch_size, count - start)
            z_content, z_motion = self.generator.sample_latents(b, self._rng)
            classes = draw_classes(self.generator, b, self._rng)               # None: uncond.
            if classes is not None and self.class_index is not None:
                classes = torch.full_like(classes, self.class_index)
            chunking = Chunking(videos=b, frames=self.frames_per_call or frames)
            video = render(self.generator, z_content, z_motion, times, chunking=chunking,
                           classes=classes)
            expect_shape(video, "b t c h w", b=b, t=frames)
            yield to_uint8(video, truncate=self.truncate).cpu()


def list_videos(root: Path) -> list[Path]:
    """Video files and frame folders under `root`, sorted by relative path."""
    def is_frame_folder(path: Path) -> bool:
        return path.is_dir() and any(
            p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir() if p.is_file()
        )

    return [
        path
        for path in sorted(root.rglob("*"))
        if (path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES) or is_frame_folder(path)
    ]


class FolderVideoSource:
    """Real clips read from the videos (files or frame folders) under a folder.

    `selection` (see `EvalProtocol.real_selection`) decides which clips every call yields:
    `random_windows` draws uniformly from every window of `frames·stride` frames of every
    video (fresh per call); `first_videos` takes the first videos in sorted order, one clip
    each from a random start, dropping videos that are too short (fewer clips if too few);
    `random_videos` takes random videos, one random clip each. With `resolution`, frames are
    centre-cropped square and resized to it (cast back with `truncate` or rounding); without,
    consecutive clips of one size are batched together. Decoding goes through
    `inrvid.video.open_video` with `plugins`' readers; frame counts are those that really decode.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        selection: RealSelection = "random_windows",
        stride: int = 1,
        seed: int = 0,
        resolution: int | None = None,
        truncate: bool = False,
        name: str | None = None,
        paths: list[Path] | None = None,
        plugins: HookCaller | None = None,
    ) -> None:
        """`paths`: the videos to read (default: every video under `root`, sorted).

        `plugins`: whose readers decode them (None: the core's reader).
        """
        self.plugins = plugins
        self.root = Path(root).expanduser().resolve()
        if not self.root.is_dir():
            raise DataError(f"{self.root}: real-video folder not found\n  pass an existing folder")
        self.paths = list_videos(self.root) if paths is None else [p.resolve() for p in paths]
        self.read: dict[Path, None] = {}  # the videos read so far, in order (for provenance)
        if not self.paths:
            raise DataError(
                f"{self.root}: no videos found (suffixes {', '.join(VIDEO_SUFFIXES)} or frame "
                "folders)\n  point the source at the folder that holds the videos"
            )
        self.selection = selection
        self.stride = stride
        self.seed = seed
        self.resolution = resolution
        self.truncate = truncate
        self.name = name or f"folder:{self.root}"
        self._rng = torch.Generator().manual_seed(seed)
        self._lengths: list[int] | None = None

    @classmethod
    def for_protocol(
        cls, root: Path | str, protocol: EvalProtocol, **kwargs: Any
    ) -> FolderVideoSource:
        """A source that selects, strides, sizes and casts real clips as `protocol` says."""
        return cls(
            root,
            selection=protocol.real_selection,
            stride=protocol.real_stride,
            seed=protocol.seed,
            resolution=protocol.resolution,
            truncate=protocol.uint8_cast == "truncate",
            **kwargs,
        )

    @property
    def cache_key(self) -> str:
        """Identity of the clips this source yields: files (size, mtime), selection and sizes."""
        h = hashlib.sha256()
        for path in self.paths:
            stat = path.stat()
            h.update(f"{path.relative_to(self.root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        settings = f"{self.selection}:{self.stride}:{self.seed}:{self.resolution}:{self.truncate}"
        return f"{self.root}:{len(self.paths)}:{settings}:{h.hexdigest()[:16]}"

    def lengths(self) -> list[int]:
        """Number of frames of every video (read once)."""
        if self._lengths is None:
            lengths = []
            for path in self.paths:
                with open_video(path, self.plugins) as reader:
                    lengths.append(len(reader))
            self._lengths = lengths
        return self._lengths

    def _clips(self, count: int, span: int) -> list[tuple[int, int]]:
        """(video index, start frame) of the clips of one call."""
        lengths = torch.tensor(self.lengths())
        starts_per_video = (lengths - span + 1).clamp_min(0)                 # windows per video
        eligible = torch.nonzero(starts_per_video > 0).flatten()
        if len(eligible) == 0:
            raise DataError(
                f"{self.root}: no video has the {span} frames a clip needs\n"
                "  lower the frame count or stride"
            )
        if self.selection == "random_windows":
            offsets = torch.cumsum(starts_per_video, 0)
            draws = torch.randint(int(offsets[-1]), (count,), generator=self._rng)
            videos = torch.searchsorted(offsets, draws, right=True)
            firsts = draws - (offsets[videos] - starts_per_video[videos])
            return list(zip(videos.tolist(), firsts.tolist(), strict=True))
        if self.selection == "first_videos":
            chosen = eligible[:count]
        else:
            chosen = eligible[torch.randperm(len(eligible), generator=self._rng)[:count]]
        return [
            (int(v), int(torch.randint(int(starts_per_video[v]), (1,), generator=self._rng)))
            for v in chosen
        ]

    def _read(self, video: int, start: int, frames: int) -> Tensor:
        indices = [start + k * self.stride for k in range(frames)]
        self.read[self.paths[video]] = None
        with open_video(self.paths[video], self.plugins) as reader:
            clip = reader.read(indices)                                      # t c h w uint8
        if self.resolution is not None:
            clip = centre_crop_resize(clip, self.resolution, truncate=self.truncate)
        return clip

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Tensor]:
        """Yield up to `count` clips of `frames` frames as uint8 `b t c h w`."""
        span = (frames - 1) * self.stride + 1
        batch: list[Tensor] = []
        for video, start in self._clips(count, span):
            clip = self._read(video, start, frames)
            if batch and (len(batch) == batch_size or batch[0].shape != clip.shape):
                yield torch.stack(batch)
                batch = []
            batch.append(clip)
        if batch:
            yield torch.stack(batch)


def fake_folder_source(
    root: Path | str,
    seed: int,
    paths: list[Path] | None = None,
    plugins: HookCaller | None = None,
) -> FolderVideoSource:
    """Generated videos on disk: the first ones, one clip each, as stored.

    `paths`: the videos, in order (default: every video of the folder, sorted).
    """
    return FolderVideoSource(
        root, selection="first_videos", seed=seed, name=f"fake folder:{Path(root).resolve()}",
        paths=paths, plugins=plugins,
    )


def folder_fingerprint(root: Path) -> str:
    """A hash of every file's relative path, size and mtime under `root` (hidden names skipped).

    Hidden files and folders are left out so that an index written beside the data (such as
    `.inrvid-index.json`) does not change the identity of the videos.
    """
    digest = hashlib.sha256()
    count = 0
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(folder) / name
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
            count += 1
    return f"{count}:{digest.hexdigest()[:16]}"


def dataset_identity(kind: str, config: dict[str, Any], recipe_seed: int) -> dict[str, Any]:
    """What decides a dataset's clips: its kind, config, the recipe seed and its files if any."""
    identity: dict[str, Any] = {"kind": kind, "config": config, "recipe_seed": recipe_seed}
    root = config.get("root")
    if isinstance(root, str):
        path = Path(root).expanduser().resolve()
        identity["root"] = str(path)
        identity["files"] = folder_fingerprint(path) if path.is_dir() else "missing"
    return identity


class DatasetClipSource:
    """Real clips of a dataset: a seeded random subset, fresh on every call.

    Call k draws its clips without replacement from a generator seeded once with `seed`, so
    trials see different clips and a rerun sees the same ones; a dataset with fewer clips than
    asked gives all of them. `identity` (see `dataset_identity`) plus the seed form the
    `cache_key` under which metrics cache real features.
    """

    def __init__(
        self, dataset: VideoDataset, *, identity: dict[str, Any], seed: int, name: str
    ) -> None:
        self.dataset = dataset
        self.identity = identity
        self.seed = seed
        self.name = name
        self._rng = torch.Generator().manual_seed(seed)

    @property
    def cache_key(self) -> str:
        """Identity of the clips this source yields (dataset, its files, seed, clip count)."""
        text = json.dumps(
            {**self.identity, "seed": self.seed, "clips": len(self.dataset)},
            sort_keys=True,
            default=str,
        )
        return f"dataset:{self.name}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Tensor]:
        """Yield up to `count` clips of their first `frames` frames as uint8 `b t c h w`."""
        clip_frames = self.dataset.video_spec.frames
        if frames > clip_frames:
            raise DataError(
                f"{self.name}: the metric asks for {frames}-frame clips, got clips of "
                f"{clip_frames} frames\n  add data.clip_frames={frames} to the command line"
            )
        order = torch.randperm(len(self.dataset), generator=self._rng)[:count]
        for start in range(0, len(order), batch_size):
            picks = order[start : start + batch_size].tolist()
            yield torch.stack([self.dataset[i]["video"][:frames] for i in picks])  # b t c h w


class RealClips:
    """The real clips every evaluation of a recipe reads: its dataset with flips off.

    The dataset is built once from the `data` section (with `hflip` off, whatever the recipe
    says) and `ctx` (the recipe's build context: its seed decides the clips). `source(seed)`
    returns a fresh `DatasetClipSource`, so an evaluation during training and `inrvid eval` on
    its checkpoint with the same protocol seed read the same clips under the same cache key.
    """

    def __init__(self, data: Section[VideoDataset], ctx: BuildContext) -> None:
        config = data.config
        if "hflip" in type(config).model_fields:
            config = config.model_copy(update={"hflip": False})
        self.kind = data.component.name
        self.identity = dataset_identity(self.kind, config.model_dump(mode="json"), ctx.seed)
        self.dataset = replace(data, config=config).build(ctx)
        self.name = f"dataset {self.kind}"

    def source(self, seed: int) -> DatasetClipSource:
        """The clips drawn from `seed` (the protocol's), from the first draw on."""
        return DatasetClipSource(self.dataset, identity=self.identity, seed=seed, name=self.name)
