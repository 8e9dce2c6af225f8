"""The evaluation driver: run metrics on fake and real videos and collect one record.

`evaluate(metrics, fake, real)` calls every metric's `compute`, then gathers the values with
each metric's provenance (protocol, weight hashes) and the library versions. The video
sources live in `inrvid.metrics.sources` and are re-exported here.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy
import torch

from inrvid.errors import DataError
from inrvid.metric import Metric, VideoSource
from inrvid.metrics.sources import FolderVideoSource, GeneratorVideoSource, TensorVideoSource
from inrvid.progress import bar
from inrvid.version import __version__

__all__ = [
    "EvalResult",
    "FolderVideoSource",
    "GeneratorVideoSource",
    "TensorVideoSource",
    "evaluate",
    "library_versions",
]


def library_versions() -> dict[str, str]:
    """Versions that can move a metric: inrvid, torch, numpy, scipy, python, CUDA."""
    return {
        "inrvid": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "cuda": str(torch.version.cuda),
    }


@dataclass
class EvalResult:
    """Values of every metric (role -> {key: value}) and what they depend on."""

    values: dict[str, dict[str, float]]
    provenance: dict[str, dict[str, Any]]
    fake: str
    real: str | None
    versions: dict[str, str] = field(default_factory=library_versions)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def protocols(self) -> dict[str, Any]:
        """Role -> the protocol its metric followed (None for metrics without one)."""
        return {role: p.get("protocol") for role, p in self.provenance.items()}

    @property
    def weights(self) -> dict[str, Any]:
        """Role -> the weight file record (path, sha256, format) of its metric, if any."""
        return {role: p.get("weights") for role, p in self.provenance.items()}

    def flat(self) -> dict[str, float]:
        """`role/key -> value`, e.g. `fvd/fvd`, `fvd/fvd_std` (for logs and metrics.jsonl)."""
        return {f"{role}/{key}": v for role, vals in self.values.items() for key, v in vals.items()}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of everything in the result."""
        return {
            "values": self.values,
            "provenance": self.provenance,
            "fake": self.fake,
            "real": self.real,
            "versions": self.versions,
            "seconds": self.seconds,
        }


class _CountingSource:
    """Wraps a source and reports the videos each batch holds to a progress callback."""

    def __init__(self, source: VideoSource, advance: Callable[[float], None]) -> None:
        self.source = source
        self.name = source.name
        self.cache_key = getattr(source, "cache_key", None)
        self._advance = advance

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Any]:
        for batch in self.source.iter_videos(count, frames, batch_size):
            count = batch.shape[0] if isinstance(batch, torch.Tensor) else 1
            self._advance(count)
            yield batch


def evaluate(
    metrics: Mapping[str, Metric],
    fake: VideoSource,
    real: VideoSource | None,
    *,
    progress: bool = True,
) -> EvalResult:
    """Run `metrics` (role -> built metric) on `fake` against `real`; return the record.

    A metric that needs real videos while `real` is None raises `DataError` before anything
    runs. With `progress`, stderr counts the videos read per metric (see `inrvid.progress`).
    """
    missing = [role for role, m in metrics.items() if m.needs_real and real is None]
    if missing:
        raise DataError(
            f"metrics {', '.join(missing)} compare with real videos, but no real source was "
            "given\n  pass real videos (a dataset or a folder), or drop these metrics"
        )
    values: dict[str, dict[str, float]] = {}
    provenance: dict[str, dict[str, Any]] = {}
    seconds: dict[str, float] = {}
    for role, metric in metrics.items():
        with bar(f"{role}: videos read", None, enabled=progress) as advance:
            fake_src = _CountingSource(fake, advance)
            real_src = _CountingSource(real, advance) if real is not None else None
            start = time.perf_counter()
            values[role] = {k: float(v) for k, v in metric.compute(fake_src, real_src).items()}
            seconds[role] = time.perf_counter() - start
            provenance[role] = {"metric": type(metric).__name__, **metric.provenance()}
    return EvalResult(
        values=values,
        provenance=provenance,
        fake=fake.name,
        real=real.name if real is not None else None,
        seconds=seconds,
    )
