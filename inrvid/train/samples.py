"""Sample grids from fixed latents, written as MP4 so a user can watch a run improve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from einops import rearrange

from inrvid.generator import Generator
from inrvid.video import to_uint8, write_grid

if TYPE_CHECKING:
    from inrvid.train.loop import Trainer

SAMPLE_SEED_OFFSET = 7919


@torch.no_grad()
def render_videos(
    generator: Generator,
    z_content: torch.Tensor,
    z_motion: torch.Tensor | None,
    times: torch.Tensor,
    chunk_videos: int = 4,
) -> torch.Tensor:
    """Render `b` videos at `times t` (shared), a few videos at a time -> uint8 `b t c h w`."""
    out = []
    device = next(generator.parameters()).device
    for start in range(0, z_content.shape[0], chunk_videos):
        zc = z_content[start : start + chunk_videos].to(device)
        zm = None if z_motion is None else z_motion[start : start + chunk_videos].to(device)
        t = times[None].expand(zc.shape[0], -1).to(device)  # b t
        out.append(to_uint8(generator(zc, zm, t).cpu()))  # b t c h w
    return torch.cat(out)


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

    def write(self, images_seen: int) -> Path:
        """Render the grid now and write it; also log its frames to TensorBoard."""
        self.folder.mkdir(parents=True, exist_ok=True)
        videos = render_videos(self.trainer.ema.model, self.z_content, self.z_motion, self.times)
        path = self.folder / f"samples-{images_seen:09d}.mp4"
        write_grid(path, videos, fps=self.fps)
        self.latest = path
        return path


def frames_strip(video: torch.Tensor) -> torch.Tensor:
    """uint8 `t c h w` -> one `c h (t w)` image (for TensorBoard)."""
    return rearrange(video, "t c h w -> c h (t w)")
