"""Running metrics: on fake and real video sources, into one record with its provenance.

`evaluate(metrics, fake, real)` calls every metric's `compute`, then gathers the values with
each metric's provenance (protocol, weight hashes) and the library versions. Metrics that
select, seed, size and cast videos alike share sources (`group_by_sources`); the results of
the groups are merged (`merge_results`). In-training evaluation and `inrvid eval` both run
metrics this way. The video sources live in `inrvid.runtime.scoring.sources`.
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

from inrvid.base.errors import DataError
from inrvid.base.progress import bar
from inrvid.base.version import __version__
from inrvid.components.metric import Metric, VideoSource
from inrvid.runtime.scoring.protocols import EvalProtocol

# Evaluation during training draws its fakes from `recipe seed + EVAL_SEED_OFFSET`, and
# `inrvid eval` on a checkpoint does too unless given --seed, so both score the same videos.
EVAL_SEED_OFFSET = 104729


def training_fake_seed(recipe_seed: int) -> int:
    """The latent seed of the generated videos that evaluation during training scores."""
    return recipe_seed + EVAL_SEED_OFFSET


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
    runs. With `progress`, stderr counts the videos read per metric (see `inrvid.base.progress`).
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


def merge_results(results: list[EvalResult]) -> EvalResult:
    """One result from several `evaluate` calls over disjoint metrics."""
    first = results[0]
    merged = EvalResult(
        values={},
        provenance={},
        fake="; ".join(dict.fromkeys(r.fake for r in results)),
        real="; ".join(dict.fromkeys(r.real for r in results if r.real)) or None,
        versions=first.versions,
    )
    for result in results:
        merged.values.update(result.values)
        merged.provenance.update(result.provenance)
        merged.seconds.update(result.seconds)
    return merged


def protocol_of(metric: Metric) -> EvalProtocol | None:
    """The protocol a metric follows, or None for a metric without one."""
    protocol = getattr(metric, "protocol", None)
    return protocol if isinstance(protocol, EvalProtocol) else None


def group_by_sources(
    metrics: Mapping[str, Metric],
) -> list[tuple[EvalProtocol | None, dict[str, Metric]]]:
    """Metrics that share fake and real sources (same selection, seed, size, cast), grouped.

    Each group comes with the protocol of its first metric (None: a metric without one).
    """
    groups: dict[str, dict[str, Metric]] = {}
    for role, metric in metrics.items():
        protocol = protocol_of(metric)
        key = (
            protocol.model_dump_json(
                include={"real_selection", "real_stride", "seed", "resolution", "uint8_cast"}
            )
            if protocol is not None
            else ""
        )
        groups.setdefault(key, {})[role] = metric
    return [(protocol_of(next(iter(g.values()))), g) for g in groups.values()]
