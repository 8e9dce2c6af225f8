"""Time samplers: which frame times the discriminators see (docs/reference/digan.md §2.3).

`digan_beta_pairs` is DIGAN's law, mismatch included: fake times are continuous, real frames
are floor(F u) of the same Beta draws, so real Δt = (i2 - i1)/(F - 1) has mean ≈ 0.425 against
≈ 0.400 for fake. `digan_beta_pairs_matched` snaps the fake times to the same frame grid, so
real and fake (t1, t2) have exactly the same law (the "corrected Δt" ablation).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import Tensor

from inrvid.components.registry import BuildContext
from inrvid.components.sampler import SamplerConfig, TimeSampler


def beta_pair(batch: int, gen: torch.Generator) -> Tensor:
    """Sorted pairs from a ~ Beta(2, 1), b ~ Beta(1, 2): `b two` in [0, 1]."""
    u = torch.rand(batch, 2, generator=gen, dtype=torch.float64)     # b two
    a = torch.sqrt(u[:, 0])                                          # inverse CDF of Beta(2,1)
    b = 1 - torch.sqrt(u[:, 1])                                      # inverse CDF of Beta(1,2)
    return torch.sort(torch.stack([a, b], dim=1), dim=1).values      # b two


def to_frame_index(u: Tensor, clip_frames: int) -> Tensor:
    """floor(F u), kept inside the clip (u = 1 maps to the last frame)."""
    return torch.floor(u * clip_frames).clamp(0, clip_frames - 1).to(torch.long)


class DiganBetaPairsConfig(SamplerConfig):
    """DIGAN's pair law (no options: the law is fixed by the reference)."""


class DiganBetaPairs(TimeSampler):
    """t1 = min(a, b), t2 = max(a, b) with a ~ Beta(2,1), b ~ Beta(1,2); real: floor(F u)."""

    frames_shown = 2

    def __init__(self, cfg: DiganBetaPairsConfig, ctx: BuildContext) -> None:
        self.cfg = cfg

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        """Frame indices `b two`: floor(F u) of the Beta draws, sorted."""
        return to_frame_index(beta_pair(batch, gen), clip_frames)   # sorting commutes with floor

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Continuous times `b two` in [0, 1], sorted."""
        return beta_pair(batch, gen).to(torch.float32)


class DiganBetaPairsMatchedConfig(SamplerConfig):
    """The frame grid the fake times are snapped to."""

    grid_frames: int | None = Field(
        None, gt=1, description="F of the grid i/(F-1) fake times are snapped to; None: the "
        "dataset's clip_frames",
    )


class DiganBetaPairsMatched(DiganBetaPairs):
    """DIGAN's real law for both: fake times are floor(F u) / (F - 1), like real frames."""

    def __init__(self, cfg: DiganBetaPairsMatchedConfig, ctx: BuildContext) -> None:
        self.matched_cfg = cfg
        self.grid_frames = cfg.grid_frames or ctx.require_video().frames

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Times `b two` on the grid i/(F-1), with the law of the real pairs."""
        indices = to_frame_index(beta_pair(batch, gen), self.grid_frames)
        return self.index_times(indices, self.grid_frames)


class UniformPairsConfig(SamplerConfig):
    """How many frames each discriminator sees."""

    frames: int = Field(2, ge=1, description="times per video (sorted), each uniform on [0, 1]")


class UniformPairs(TimeSampler):
    """Independent uniform times, sorted; real: uniform frame indices, sorted."""

    def __init__(self, cfg: UniformPairsConfig, ctx: BuildContext) -> None:
        self.frames_shown = cfg.frames

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        """Uniform frame indices `b t`, sorted."""
        idx = torch.randint(0, clip_frames, (batch, self.frames_shown), generator=gen)
        return torch.sort(idx, dim=1).values

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Uniform times `b t` in [0, 1], sorted."""
        return torch.sort(torch.rand(batch, self.frames_shown, generator=gen), dim=1).values


class WholeClipConfig(SamplerConfig):
    """The clip length shown (every frame)."""

    frames: int | None = Field(
        None, gt=1, description="frames per clip; None: the dataset's clip_frames"
    )


class WholeClip(TimeSampler):
    """Every frame of the clip: indices 0..F-1, times k/(F-1) (for video discriminators)."""

    def __init__(self, cfg: WholeClipConfig, ctx: BuildContext) -> None:
        self.frames_shown = cfg.frames or ctx.require_video().frames

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        """Indices `b t` spread over the clip (all of them when t = clip_frames)."""
        idx = torch.linspace(0, clip_frames - 1, self.frames_shown).round().to(torch.long)
        return idx.expand(batch, -1).clone()

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Times `b t` = k / (t - 1)."""
        times = torch.arange(self.frames_shown, dtype=torch.float32) / (self.frames_shown - 1)
        return times.expand(batch, -1).clone()
