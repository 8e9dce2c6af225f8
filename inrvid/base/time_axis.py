"""The time axis of a video: frame k of a clip of F frames stands at t = k / (F - 1).

[0, 1] spans a training clip; times outside it extrapolate. Samplers, renderers, the metrics'
generated videos and datasets with an exact renderer all turn frame indices into times here.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def index_times(
    indices: Tensor | Sequence[int], clip_frames: int, dtype: torch.dtype = torch.float32
) -> Tensor:
    """The times of frame `indices` (any shape) of a clip of `clip_frames` frames."""
    return torch.as_tensor(indices).to(dtype) / max(clip_frames - 1, 1)


def clip_times(frames: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """The times `t` of every frame of a clip of `frames` frames: 0, 1/(F-1), ..., 1."""
    return index_times(torch.arange(frames), frames, dtype)
