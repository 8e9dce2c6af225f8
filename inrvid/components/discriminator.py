"""The `discriminator` registry: frames and their times in, logits out."""

from __future__ import annotations

from torch import Tensor, nn

from inrvid.components.registry import ComponentConfig, VideoSpec


class DiscriminatorConfig(ComponentConfig):
    """Fields every discriminator has (none yet)."""


class Discriminator(nn.Module):
    """Scores frames: `forward(frames b t c h w, times b t) -> logits b k`.

    Frames are in [-1, 1] (already augmented by the loop), times sorted per video.
    k is the number of scores per video: t for a per-frame image discriminator, 1 for a
    discriminator that sees the frames together (a motion D with its Δt plane, a 3D conv D).
    A discriminator may declare `frames_seen` (how many frames it takes; None: any).
    `inrvid recipe validate` compares it with the sampler's `frames_shown` before anything is
    built, through `frames_seen_for`.
    A class-conditional discriminator sets `num_classes` > 0 and takes `classes=` (int `b`)
    as a keyword of `forward`; losses pass it through `inrvid.components.loss.score`.
    """

    frames_seen: int | None = None
    num_classes: int = 0

    @classmethod
    def frames_seen_for(cls, config: ComponentConfig, video: VideoSpec) -> int | None:
        """Frames a discriminator built from `config` will take (None: any), before building.

        The class attribute `frames_seen` by default; override it when the number depends on
        the config or the video spec.
        """
        return cls.frames_seen

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        """Logits `b k` for frames `b t c h w` at times `b t`."""
        raise NotImplementedError
