"""`moving_shapes`: procedural videos with an exact renderer for any real time t.

Each video holds a few soft-edged discs and squares over a two-colour gradient. Every shape's
position, size, rotation and colour is an analytic function of t (sums of sines), so a frame
exists for any real t: between clip frames, before 0 and after 1. Frame k of an F-frame clip is
the frame at t = k / (F - 1). Parameters come from (seed, video index) alone, so any resolution
and frame count show the same motion.
"""

from __future__ import annotations

import math

import torch
from pydantic import Field
from torch import Tensor

from inrvid.base.time_axis import clip_times
from inrvid.components.dataset import ClipItem, DatasetConfig, DatasetSummary, VideoDataset
from inrvid.components.registry import BuildContext, VideoSpec
from inrvid_datasets.transforms import flip_decision, mix64


class MovingShapesConfig(DatasetConfig):
    """Size and content of the procedural dataset (the quickstart's and the tests' default)."""

    resolution: int = Field(32, gt=0, description="frames are rendered square at this size")
    videos: int = Field(
        256, gt=0, le=1_000_000, description="number of distinct videos (one clip each)"
    )
    shapes: int = Field(3, gt=0, le=16, description="shapes per video")
    seed: int = Field(0, description="content seed: the same seed gives the same videos")
    speed: float = Field(1.0, gt=0, description="motion speed: about `speed` cycles per unit t")
    fps: float = Field(16.0, gt=0, description="frame rate reported with clips")


class MovingShapes(VideoDataset):
    """Procedural clips; `render(video, times)` is the ground truth for any times.

    It is an `inrvid.components.dataset.GroundTruthVideos`: `render` and `held_out_videos`.
    """

    def __init__(self, cfg: MovingShapesConfig, ctx: BuildContext) -> None:
        self.cfg = cfg
        self.seed = ctx.seed
        self.epoch = 0
        self.video_spec = VideoSpec(frames=cfg.clip_frames, height=cfg.resolution,
                                    width=cfg.resolution, fps=cfg.fps)

    def __len__(self) -> int:
        """Number of clips (one per video)."""
        return self.cfg.videos

    # -- the ground truth -------------------------------------------------------------------
    def parameters(self, video: int) -> dict[str, Tensor]:
        """The analytic parameters of one video (shapes on the first axis)."""
        gen = torch.Generator().manual_seed(mix64(self.cfg.seed, video) >> 1)
        n = self.cfg.shapes

        def uniform(lo: float, hi: float, *shape: int) -> Tensor:
            return lo + (hi - lo) * torch.rand(*shape, generator=gen, dtype=torch.float64)

        two_pi = 2 * math.pi
        return {
            "square": (torch.rand(n, generator=gen) < 0.5).to(torch.float64),
            "centre": uniform(-0.45, 0.45, n, 2),
            "amplitude": uniform(0.1, 0.4, n, 2),
            "omega": uniform(0.5, 1.5, n, 2) * two_pi * self.cfg.speed,
            "phase": uniform(0.0, two_pi, n, 2),
            "radius": uniform(0.12, 0.28, n),
            "pulse_omega": uniform(0.5, 1.5, n) * two_pi * self.cfg.speed,
            "pulse_phase": uniform(0.0, two_pi, n),
            "angle": uniform(0.0, two_pi, n),
            "spin": uniform(-1.0, 1.0, n) * two_pi * self.cfg.speed,
            "hue": uniform(0.0, 1.0, n),
            "hue_speed": uniform(-0.5, 0.5, n) * self.cfg.speed,
            "background": uniform(0.0, 0.35, 2, 3),
        }

    def render(self, video: int, times: Tensor, resolution: int | None = None) -> Tensor:
        """Frames of `video` at `times` (`t`, any reals): float `t c h w` in [0, 1]."""
        p = self.parameters(video)
        n = resolution or self.cfg.resolution
        t = times.to(torch.float64).reshape(-1, 1)                       # t 1
        # Shape state at each time (t n ...).
        centre = p["centre"] + p["amplitude"] * torch.sin(
            p["omega"] * t[..., None] + p["phase"])                        # t n 2
        radius = p["radius"] * (1 + 0.25 * torch.sin(p["pulse_omega"] * t + p["pulse_phase"]))
        angle = p["angle"] + p["spin"] * t                                 # t n
        hue = 2 * math.pi * (p["hue"] + p["hue_speed"] * t)                # t n
        offsets = torch.tensor([0.0, 2 * math.pi / 3, 4 * math.pi / 3], dtype=torch.float64)
        colour = 0.5 + 0.45 * torch.sin(hue[..., None] + offsets)          # t n 3
        # Pixel centres in [-1, 1], y up (top row first).
        axis = -1 + (2 * torch.arange(n, dtype=torch.float64) + 1) / n     # n
        x = axis.view(1, 1, 1, n)
        y = axis.flip(0).view(1, 1, n, 1)
        dx = x - centre[..., 0, None, None]                                # t n h w
        dy = y - centre[..., 1, None, None]                                # t n h w
        cos, sin = torch.cos(angle)[..., None, None], torch.sin(angle)[..., None, None]
        u, v = cos * dx + sin * dy, -sin * dx + cos * dy                   # shape-local coords
        r = radius[..., None, None]
        disc = torch.sqrt(dx**2 + dy**2) - r                               # signed distances
        qu, qv = u.abs() - r, v.abs() - r
        box = torch.sqrt(qu.clamp(min=0) ** 2 + qv.clamp(min=0) ** 2) + torch.maximum(
            qu, qv).clamp(max=0)
        square = p["square"].view(1, -1, 1, 1)
        distance = square * box + (1 - square) * disc                      # t n h w
        alpha = (0.5 - distance * (n / 2)).clamp(0, 1)                     # one-pixel soft edge
        # Background gradient, then the shapes over it in order.
        mix = ((y + 1) / 2).squeeze(0)                                     # 1 h 1
        top, bottom = p["background"][0], p["background"][1]
        image = bottom.view(3, 1, 1) + (top - bottom).view(3, 1, 1) * mix  # 3 h 1
        image = image.expand(t.shape[0], 3, n, n)                          # t c h w
        for s in range(p["square"].shape[0]):
            a = alpha[:, s, None]                                          # t 1 h w
            image = image * (1 - a) + colour[:, s, :, None, None] * a
        return image.to(torch.float32)

    def held_out_videos(self, count: int) -> list[int]:
        """`count` videos past the training set: indices from `videos` on (never in a clip).

        A video's parameters come from (seed, index) alone, so these are drawn exactly as the
        training videos are, and are rendered by `render` like them.
        """
        return list(range(len(self), len(self) + count))

    def render_uint8(self, video: int, times: Tensor, resolution: int | None = None) -> Tensor:
        """`render` as uint8 `t c h w` (round to nearest)."""
        return (self.render(video, times, resolution) * 255).round().clamp(0, 255).to(torch.uint8)

    def clip_times(self) -> Tensor:
        """The times of a clip's frames: k / (F - 1), k = 0..F-1 (`inrvid.base.time_axis`)."""
        return clip_times(self.cfg.clip_frames, torch.float64)

    # -- the Dataset protocol ----------------------------------------------------------------
    def flipped(self, index: int) -> bool:
        """Whether clip `index` is flipped left-right in the current epoch."""
        return self.cfg.hflip and flip_decision(self.seed, self.epoch, index)

    def __getitem__(self, index: int) -> ClipItem:
        """Clip `index`: the renderer at the clip times, uint8 `f c h w`, maybe flipped."""
        if not 0 <= index < len(self):
            raise IndexError(f"clip {index} requested, the dataset has {len(self)} clips")
        video = self.render_uint8(index, self.clip_times())                # f c h w
        if self.flipped(index):
            video = video.flip(-1)
        return ClipItem(video=video, label=-1, fps=self.cfg.fps, index=index)

    def summary(self) -> DatasetSummary:
        """Counts (no files, nothing skipped)."""
        return DatasetSummary(videos=len(self), clips=len(self),
                              frames=len(self) * self.cfg.clip_frames)

