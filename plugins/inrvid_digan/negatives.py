"""Real negatives: real frame sets rearranged so that their motion is wrong, scored as fakes.

An inrvid option, not the release's training (docs/small-compute.md). Early in training a
motion discriminator tells fakes from reals by how single frames look, the cue an image
discriminator already gives, and stays blind to motion: on the quickstart at 1 kimg it
scores a real pair and the same video frozen (its first frame twice) alike (AUC 0.53,
`benchmarks/motion_diagnosis.py`), so the generator gets no reason to move. Showing the
discriminator real frames whose only flaw is their motion, labelled fake, makes motion the
cue from the first step:

- `frozen`: every frame replaced by the first, at the true times (a video that stopped);
- `foreign_times`: the frames of one video with the times of another video in the batch
  (motion at the wrong speed for its Δt);
- `foreign_frames`: the last frame taken from another video in the batch (no continuity).

Items whose negative equals the real set (zero time span for `frozen`; the same times for
`foreign_times`) are left out of the mean. The partner video is the batch's next one (a roll
by one), which the loader's shuffling makes a random other video and which needs no draw.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

RealNegative = Literal["frozen", "foreign_times", "foreign_frames"]
REAL_NEGATIVES: tuple[RealNegative, ...] = ("frozen", "foreign_times", "foreign_frames")


def real_negative(
    kind: RealNegative, frames: Tensor, times: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """Frames `b t c h w` and times `b t` -> (negative frames, negative times, kept `b` bool)."""
    if frames.shape[0] < 2 and kind != "frozen":
        raise ValueError(f"real negative '{kind}' needs a batch of at least 2 videos per process")
    span = times[:, -1] - times[:, 0]                                              # b
    if kind == "frozen":
        negative = frames[:, :1].expand_as(frames)                                 # b t c h w
        return negative, times, span > 0
    partner = torch.roll(torch.arange(frames.shape[0], device=frames.device), 1)   # b
    if kind == "foreign_times":
        foreign = times[partner]                                                   # b t
        differs = (foreign - times).abs().amax(dim=1) > 0
        return frames, foreign, differs
    negative = frames.clone()
    negative[:, -1] = frames[partner, -1]                                          # b t c h w
    return negative, times, torch.ones_like(span, dtype=torch.bool)


def masked_mean(values: Tensor, keep: Tensor) -> Tensor:
    """Mean of `values b k` over the kept items (`keep b`); 0 (with a graph) if none is kept."""
    weight = keep.to(values.dtype)[:, None].expand_as(values)                      # b k
    return (values * weight).sum() / weight.sum().clamp_min(1.0)
