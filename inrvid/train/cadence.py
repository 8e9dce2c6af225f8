"""Where a run is (`Counters`) and when something periodic is due (`crossed`).

Cadences are in thousands of videos (kimg), counted over all ranks, as in StyleGAN2-ADA:
logging, samples, evaluation and checkpoints each fire when the images seen cross a
multiple of their `*_every_kimg`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Counters:
    """Where the run is: optimiser steps and images (videos) seen, over all ranks."""

    step: int = 0
    images_seen: int = 0
    history: dict[str, float] = field(default_factory=dict)

    @property
    def kimg(self) -> float:
        """Thousands of videos seen."""
        return self.images_seen / 1000


def crossed(before: int, after: int, every_kimg: float | None) -> bool:
    """Whether a cadence of `every_kimg` was crossed going from `before` to `after` images."""
    if not every_kimg:
        return False
    every = every_kimg * 1000
    return int(before // every) != int(after // every)
