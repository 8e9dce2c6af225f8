"""The real-vs-real floor of a recipe's metrics: what a generator that matched the data scores.

The recipe's real clips are scored against a second, independent sample of real clips with
the same metrics and protocols: for a dataset with a content seed (such as `moving_shapes`)
the same dataset under the next seed, else another draw of clips.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from inrvid.loading.plugins import Plugins
from inrvid.recipe import Recipe
from inrvid.runtime.build import build_metrics, context_for, video_spec_of
from inrvid.runtime.scoring.runner import evaluate, group_by_sources, merge_results
from inrvid.runtime.scoring.sources import RealClips


def real_floor(
    recipe: Recipe, plugins: Plugins, device: torch.device | None = None
) -> dict[str, float]:
    """`role/key` -> the value of the recipe's `eval.metrics` with real clips as the fakes."""
    device = device or torch.device("cpu")
    video = video_spec_of(recipe, plugins)
    metrics = build_metrics(recipe, video, device, plugins)
    ctx = context_for(recipe, video, device, plugins)
    real = RealClips(recipe.data, ctx)
    config = recipe.data.config
    seed: int | None = config.model_dump().get("seed")
    independent = (
        RealClips(replace(recipe.data, config=config.model_copy(update={"seed": seed + 1})), ctx)
        if seed is not None
        else None
    )
    results = []
    for protocol, group in group_by_sources(metrics):
        seed = protocol.seed if protocol is not None else 0
        other = independent.source(seed) if independent else real.source(seed + 1)
        results.append(evaluate(group, other, real.source(seed), progress=False))
    return merge_results(results).flat()
