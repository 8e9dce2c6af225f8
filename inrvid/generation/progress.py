"""Rich progress bars for rendering and inversion (on stderr; silent with --quiet)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from inrvid.console import err


@contextmanager
def bar(
    description: str, total: int, enabled: bool = True
) -> Iterator[Callable[[float], None]]:
    """A progress bar of `total` units; yields `advance(units)`."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not enabled,
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total)
        yield lambda units: progress.advance(task, units)


def pick_device(choice: str) -> torch.device:
    """`auto` -> CUDA when available, else CPU; otherwise the named device."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(choice)
