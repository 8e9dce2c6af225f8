"""Pieces the benchmark scripts share: the device, a recipe's trainer, interleaved timing,
a run's evaluation lines and the real-vs-real floor of its metrics.

Timings on a shared machine drift; comparing two things fairly means alternating them
(A, B, A, B, ...) and reporting medians and the ratio of medians, which `interleaved` does.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]


def pick_device(name: str) -> torch.device:
    """`auto` (CUDA when available), `cpu` or `cuda`."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def sync(device: torch.device) -> None:
    """Wait for the device's queued work (a no-op on CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_name(device: torch.device) -> str:
    """What the figures were measured on, in words."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads)"


def make_trainer(recipe_path: str | Path, overrides: list[str], device: torch.device) -> Any:
    """The recipe's `Trainer` (every phase, lazy regularisation, EMA) on `device`, seeded."""
    from inrvid.loading.plugins import load_plugins
    from inrvid.recipe import load_recipe
    from inrvid.train import distributed as ddp
    from inrvid.train.loop import Trainer

    plugins = load_plugins()
    recipe = load_recipe(
        recipe_path, [*overrides, f"train.device={device.type}", "eval.every_kimg=null"],
        plugins=plugins,
    )
    torch.manual_seed(0)
    return Trainer(recipe, ddp.setup(recipe.train.device), plugins)


def batch_of_clips(trainer: Any) -> torch.Tensor:
    """One global batch of the trainer's dataset clips (uint8 `b f c h w`)."""
    n = trainer.recipe.train.batch_size
    return torch.stack([trainer.dataset[i % len(trainer.dataset)]["video"] for i in range(n)])


def interleaved(
    cases: Mapping[str, Callable[[], object]],
    device: torch.device,
    repeats: int,
    warmup: int = 1,
) -> dict[str, list[float]]:
    """Seconds of each case over `repeats` rounds, the cases alternating within each round."""
    for _ in range(warmup):
        for run in cases.values():
            run()
    sync(device)
    seconds: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, run in cases.items():
            sync(device)
            start = time.perf_counter()
            run()
            sync(device)
            seconds[name].append(time.perf_counter() - start)
    return seconds


def median(values: list[float]) -> float:
    """The median of a list of timings."""
    return statistics.median(values)


def run_lines(run: Path) -> list[dict[str, Any]]:
    """Every whole record of a run's `metrics.jsonl`, in order (a torn last line dropped)."""
    from inrvid.base.files import JsonLines

    return JsonLines(run / "metrics.jsonl").read()


def eval_lines(run: Path) -> list[dict[str, Any]]:
    """The in-training evaluation records of a run, in order."""
    return [r for r in run_lines(run) if any(k.startswith("eval/") for k in r)]


def real_floor(run: Path) -> dict[str, float]:
    """The recipe's metrics with real clips in place of the generator's (`eval/...` keys)."""
    from inrvid.evaluation.floor import real_floor as recipe_floor
    from inrvid.loading.plugins import load_plugins
    from inrvid.recipe import load_recipe

    plugins = load_plugins()
    floor = recipe_floor(load_recipe(run / "recipe.resolved.yaml", plugins=plugins), plugins)
    return {f"eval/{k}": v for k, v in floor.items()}
