"""In-training evaluation: the recipe's `eval.metrics` on the EMA generator at a cadence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import torch

from inrvid.build import build_metrics
from inrvid.dataset import VideoDataset
from inrvid.errors import DataError
from inrvid.evaluate import GeneratorVideoSource, evaluate
from inrvid.recipe import Recipe
from inrvid.train.distributed import DistInfo

if TYPE_CHECKING:
    from inrvid.train.loop import Counters, Trainer
    from inrvid.train.records import MetricsLog

EVAL_SEED_OFFSET = 104729


class DatasetVideoSource:
    """Real clips of a dataset, a seeded random subset, as uint8 `b t c h w` batches."""

    def __init__(self, dataset: VideoDataset, seed: int = 0, name: str = "dataset") -> None:
        self.dataset = dataset
        self.name = name
        self.seed = seed
        self.cache_key: str | None = None

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[torch.Tensor]:
        """Yield `count` clips (repeating the dataset if it is smaller) of their first `frames`."""
        clip_frames = self.dataset.video_spec.frames
        if frames > clip_frames:
            raise DataError(
                f"{self.name}: a metric asks for {frames}-frame videos, the dataset's clips have "
                f"{clip_frames}\n  raise data.clip_frames or lower the metric's frame count"
            )
        order = torch.randperm(
            len(self.dataset), generator=torch.Generator().manual_seed(self.seed)
        )
        picks = [int(order[i % len(order)]) for i in range(count)]
        for start in range(0, count, batch_size):
            items = [self.dataset[i]["video"][:frames] for i in picks[start : start + batch_size]]
            yield torch.stack(items)  # b t c h w


class Evaluator:
    """Runs the recipe's metrics (rank 0) at `eval.every_kimg`, at the start and at the end."""

    def __init__(self, recipe: Recipe, trainer: Trainer, info: DistInfo) -> None:
        self.every = recipe.eval.every_kimg
        self.info = info
        self.trainer = trainer
        self.metrics = (
            build_metrics(recipe, trainer.models.video, info.device)
            if recipe.metrics and info.is_main and self.every is not None
            else {}
        )
        self.real = DatasetVideoSource(trainer.dataset, seed=recipe.seed, name=recipe.data.path)
        self.seed = recipe.seed + EVAL_SEED_OFFSET
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def maybe_run(
        self,
        log: MetricsLog | None,
        counters: Counters,
        *,
        force: bool = False,
        before: int | None = None,
    ) -> dict[str, float]:
        """Evaluate if a cadence was crossed (or `force`); log and return the values."""
        from inrvid.train.loop import crossed

        due = force or (before is not None and crossed(before, counters.images_seen, self.every))
        if not self.metrics or not due:
            return {}
        fake = GeneratorVideoSource(self.trainer.ema.model, seed=self.seed, name="generator_ema")
        needs_real = any(m.needs_real for m in self.metrics.values())
        result = evaluate(self.metrics, fake, self.real if needs_real else None, progress=False)
        values = result.flat()
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
