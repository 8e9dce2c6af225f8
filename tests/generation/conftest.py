"""A tiny quickstart checkpoint trained once per test process (about 5 s on one thread)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from inrvid.base import time_axis
from inrvid.generation.api import VideoModel, load
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe

REPO = Path(__file__).resolve().parents[2]
TINY = [
    "train.duration_kimg=0.032",
    "eval.every_kimg=null",
    "eval.metrics.swd=!drop",
    "generator.channel_max=16",
    "discriminators.image.channel_max=16",
    "discriminators.motion.channel_max=16",
]


@pytest.fixture(scope="package", autouse=True)
def one_thread() -> Iterator[None]:
    """One intra-op thread here: tiny networks on busy cores slow down tenfold with more."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of a 32-image quickstart run (channels capped at 16)."""
    from inrvid.train.loop import train

    out = tmp_path_factory.mktemp("tiny-run")
    recipe = load_recipe(REPO / "recipes" / "quickstart.yaml", [*TINY, f"output.dir={out}"], plugins=load_plugins())
    return train(recipe, load_plugins(), argv=[], quiet=True)


@pytest.fixture(scope="session")
def tiny_model(tiny_checkpoint: Path) -> VideoModel:
    return load(tiny_checkpoint)


@pytest.fixture
def run_command() -> Callable[..., int]:
    """Parse arguments with a core command's own `configure` and call its `run` (as the CLI
    does: with the loaded plug-ins as `args.plugins`)."""
    from inrvid.cli import CORE_COMMANDS

    table = {c.name: c for c in CORE_COMMANDS}

    def run(name: str, *argv: str) -> int:
        parser = argparse.ArgumentParser()
        table[name].configure(parser)
        args = parser.parse_args([str(a) for a in argv])
        args.plugins = load_plugins()
        return table[name].run(args) or 0

    return run


def clip_times(frames: int) -> torch.Tensor:
    return time_axis.clip_times(frames, torch.float64)
