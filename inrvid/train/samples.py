"""Sample grids from fixed latents, written as MP4 so a user can watch a run improve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from einops import rearrange

from inrvid.generation.render import render_uint8
from inrvid.video import write_grid

if TYPE_CHECKING:
    from inrvid.train.loop import Trainer
    from inrvid.train.records import MetricsLog

SAMPLE_SEED_OFFSET = 7919


class SampleWriter:
    """Writes `samples/samples-<images seen>.mp4` from the EMA generator and fixed latents."""

    def __init__(self, trainer: Trainer, run_dir: Path) -> None:
        cfg = trainer.recipe.train
        gen = torch.Generator().manual_seed(trainer.recipe.seed + SAMPLE_SEED_OFFSET)
        g = trainer.models.generator
        self.z_content = torch.randn(cfg.sample_videos, g.content_dim, generator=gen)
        self.z_motion = (
            torch.randn(cfg.sample_videos, g.motion_dim, generator=gen) if g.motion_dim else None
        )
        self.times = torch.linspace(0, 1, cfg.sample_frames)
        self.folder = run_dir / "samples"
        self.trainer = trainer
        self.fps = trainer.models.video.fps
        self.latest: Path | None = None

    def write(self, images_seen: int, log: MetricsLog | None = None) -> Path:
        """Render the grid now and write it; log the first video's frames to TensorBoard."""
        self.folder.mkdir(parents=True, exist_ok=True)
        videos = render_uint8(self.trainer.ema.model, self.z_content, self.z_motion, self.times)
        path = self.folder / f"samples-{images_seen:09d}.mp4"
        write_grid(path, videos, fps=self.fps)
        self.latest = path
        if log is not None:
            log.add_frames("samples/first_video", frames_strip(videos[0]), images_seen)
        return path


def frames_strip(video: torch.Tensor) -> torch.Tensor:
    """uint8 `t c h w` -> one `c h (t w)` image (for TensorBoard)."""
    return rearrange(video, "t c h w -> c h (t w)")
