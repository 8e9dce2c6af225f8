"""Sample grids from fixed latents, written as MP4 so a user can watch a run improve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from einops import rearrange

from inrvid.base.time_axis import clip_times
from inrvid.runtime.render import render_uint8
from inrvid.video import write_grid

if TYPE_CHECKING:
    from inrvid.components.dataset import VideoDataset
    from inrvid.components.generator import Generator
    from inrvid.train.records import MetricsLog

SAMPLE_SEED_OFFSET = 7919


class SampleWriter:
    """Writes `samples/samples-<images seen>.mp4` from a generator (the EMA) and fixed latents.

    The latents are drawn once from `seed + SAMPLE_SEED_OFFSET`, so every grid of a run shows
    the same videos; `generator` is rendered as it is when `write` is called.
    """

    def __init__(
        self, generator: Generator, run_dir: Path, *, videos: int, frames: int, seed: int,
        fps: float,
    ) -> None:
        gen = torch.Generator().manual_seed(seed + SAMPLE_SEED_OFFSET)
        self.z_content, self.z_motion = generator.sample_latents(videos, gen, device="cpu")
        # a class-conditional generator shows classes 0, 1, 2, ... (fixed, like the latents)
        self.classes = (torch.arange(videos) % generator.num_classes
                        if generator.num_classes else None)
        self.times = clip_times(frames)
        self.folder = run_dir / "samples"
        self.generator = generator
        self.fps = fps
        self.latest: Path | None = None
        self.reals: Path | None = None

    def write_reals(self, dataset: VideoDataset) -> Path:
        """`samples/reals.mp4`: the first real clips in the samples' layout, at their times.

        Beside the sample grids it shows at a glance what the generator should produce (as
        StyleGAN's `reals.png`); frame k of the grid is the clip frame nearest t_k.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        self.reals = self.folder / "reals.mp4"
        write_grid(self.reals, self.real_videos(dataset), fps=self.fps)
        return self.reals

    def real_videos(self, dataset: VideoDataset) -> torch.Tensor:
        """The first real clips at the samples' times (uint8 `b t c h w`): the reals' grid."""
        count = min(self.z_content.shape[0], len(dataset))
        clips = torch.stack([dataset[i]["video"] for i in range(count)])  # b f c h w
        nearest = (self.times * (clips.shape[1] - 1)).round().long()      # t, clip frame indices
        return clips[:, nearest]

    def render(self) -> torch.Tensor:
        """The grid's videos from the fixed latents, as `generator` is now (uint8 `b t c h w`)."""
        return render_uint8(self.generator, self.z_content, self.z_motion, self.times,
                            classes=self.classes)

    def write(self, images_seen: int, log: MetricsLog | None = None) -> Path:
        """Render the grid now and write it; log the first video's frames to TensorBoard."""
        self.folder.mkdir(parents=True, exist_ok=True)
        videos = self.render()
        path = self.folder / f"samples-{images_seen:09d}.mp4"
        write_grid(path, videos, fps=self.fps)
        self.latest = path
        if log is not None:
            log.add_frames("samples/first_video", frames_strip(videos[0]), images_seen)
        return path


def frames_strip(video: torch.Tensor) -> torch.Tensor:
    """uint8 `t c h w` -> one `c h (t w)` image (for TensorBoard)."""
    return rearrange(video, "t c h w -> c h (t w)")
