"""The `sampler` registry: which frame times the discriminators see, for real and fake alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor

from inrvid.base import time_axis
from inrvid.components.registry import ComponentConfig


class SamplerConfig(ComponentConfig):
    """Fields every time sampler has (none yet)."""


class TimeSampler:
    """The law of the frame times shown to the discriminators.

    `sample_real(b, clip_frames, gen) -> indices b t` (long, sorted per video) picks frames of
    a real clip of `clip_frames` frames; their times are `indices / (clip_frames - 1)`.
    `sample_fake(b, gen) -> times b t` (float, sorted, usually in [0, 1]) for the generator.
    `frames_shown` is t. `gen` is a `torch.Generator` so that draws are reproducible.
    """

    frames_shown: int

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        """Frame indices `b t` into clips of `clip_frames` frames."""
        raise NotImplementedError

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Times `b t` for generated frames."""
        raise NotImplementedError

    @staticmethod
    def index_times(indices: Tensor, clip_frames: int) -> Tensor:
        """The times `b t` of frame indices in a clip: i / (F - 1) (`inrvid.base.time_axis`)."""
        return time_axis.index_times(indices, clip_frames)


@contextmanager
def forked_global_rng(gen: torch.Generator) -> Iterator[None]:
    """Seed the global torch RNG from `gen` inside the block, and restore it afterwards.

    For distributions that take no `torch.Generator`, such as `torch.distributions.Beta`:
    `with forked_global_rng(gen): u = Beta(2.0, 1.0).sample((batch,))`. The draw then depends
    on `gen` alone (which advances by one draw), so a run stays reproducible and resumable.
    """
    seed = int(torch.randint(0, 2**62, (), generator=gen))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
