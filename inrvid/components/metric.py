"""The `metric` registry: scores of generated videos against real ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from inrvid.components.registry import ComponentConfig


class MetricConfig(ComponentConfig):
    """Fields every metric has (none yet)."""


class VideoSource(Protocol):
    """Videos to score: real clips of a dataset, a generator's samples or files on disk."""

    name: str

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[object]:
        """Yield uint8 tensors `b t c h w` until `count` videos of `frames` frames are given."""
        ...


class Metric:
    """`compute(fake, real) -> {name: value}`; `real` is None for metrics that need no data.

    A metric decides how many videos and frames it reads from each source; it records its
    protocol and the sha256 of any weight file in `provenance()`.
    """

    higher_is_better: bool = False
    needs_real: bool = True

    def compute(self, fake: VideoSource, real: VideoSource | None) -> dict[str, float]:
        """Score `fake` against `real`."""
        raise NotImplementedError

    def provenance(self) -> dict[str, object]:
        """Protocol, weight hashes and anything else a result must carry."""
        return {}
