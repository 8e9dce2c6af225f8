"""In-training evaluation: the recipe's `eval.metrics` on the EMA generator at a cadence.

It runs metrics exactly as `inrvid eval` does on a checkpoint (`inrvid.runtime.scoring.runner`):
metrics grouped by the sources they share, real clips from `RealClips` (the dataset with flips
off, drawn from the protocol's seed, fresh at every evaluation), fakes cast as the protocol
says. So the real clips and their cached features are those `inrvid eval` reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inrvid.runtime.scoring.runner import (
    EvalResult,
    evaluate,
    group_by_sources,
    merge_results,
    training_fake_seed,
)
from inrvid.runtime.scoring.sources import GeneratorVideoSource
from inrvid.train.cadence import Counters, crossed

if TYPE_CHECKING:
    from collections.abc import Callable

    from inrvid.components.generator import Generator
    from inrvid.components.metric import Metric
    from inrvid.runtime.scoring.sources import RealClips
    from inrvid.train.records import MetricsLog

class PeriodicMetrics:
    """Runs `metrics` on `generator` (the EMA) at `every_kimg`, at the start and at the end.

    `real_clips` builds the real-clip source on first use (only if a metric needs reals);
    fakes are drawn from `training_fake_seed(seed)` at every evaluation.
    """

    def __init__(
        self,
        metrics: dict[str, Metric],
        generator: Generator,
        *,
        every_kimg: float | None,
        seed: int,
        real_clips: Callable[[], RealClips],
    ) -> None:
        self.metrics = metrics
        self.generator = generator
        self.every = every_kimg
        self.seed = training_fake_seed(seed)
        self._make_real_clips = real_clips
        self._real_clips: RealClips | None = None
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def real_clips(self) -> RealClips:
        """The dataset's real clips (built once)."""
        if self._real_clips is None:
            self._real_clips = self._make_real_clips()
        return self._real_clips

    def evaluate(self) -> EvalResult:
        """Every metric now, group by group, as `inrvid eval` runs them."""
        results = []
        for protocol, group in group_by_sources(self.metrics):
            fake = GeneratorVideoSource(
                self.generator,
                seed=self.seed,
                truncate=protocol is not None and protocol.uint8_cast == "truncate",
                name="generator_ema",
            )
            needs_real = any(m.needs_real for m in group.values())
            seed = protocol.seed if protocol is not None else 0
            real = self.real_clips().source(seed) if needs_real else None
            results.append(evaluate(group, fake, real, progress=False))
        return merge_results(results)

    def maybe_run(
        self,
        log: MetricsLog | None,
        counters: Counters,
        *,
        force: bool = False,
        before: int | None = None,
    ) -> dict[str, float]:
        """Evaluate if a cadence was crossed (or `force`); log and return the values."""
        due = force or (before is not None and crossed(before, counters.images_seen, self.every))
        if not self.metrics or not due:
            return {}
        values = self.evaluate().flat()
        if log is not None:
            log.write(
                {
                    "kimg": counters.kimg,
                    "step": counters.step,
                    "images_seen": counters.images_seen,
                    **{f"eval/{k}": v for k, v in values.items()},
                }
            )
        self.last = values
        self.first = self.first or values
        return values
