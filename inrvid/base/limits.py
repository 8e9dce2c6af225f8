"""Limits on what the commands accept, checked before anything is allocated.

Command-line numbers are parsed by the `argparse` types below (finite, within a range), so
`--scale 100000` or `--fps nan` is refused with a usage message before a checkpoint loads.
Sizes that multiply (videos x frames x pixels) are checked against this machine's memory by
`check_fits` once the model's resolution is known, so nothing asks for terabytes and dies.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path

from inrvid.base.errors import InrvidError

MAX_FRAMES = 100_000  # frames per video (an hour at 25 fps is 90,000)
MAX_VIDEOS = 100_000  # videos per command
MAX_SCALE = 64  # times the training resolution
MAX_STEPS = 1_000_000  # optimiser steps, interpolation steps


class SizeError(InrvidError):
    """A requested size does not fit this machine's memory."""


def memory_bytes() -> int:
    """This machine's physical memory in bytes."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a small machine
        return 8 << 30


def _gib(n: float) -> str:
    return f"{n / (1 << 30):.1f} GiB"


def check_fits(nbytes: float, what: str, fix: str) -> None:
    """Refuse a tensor of `nbytes` that would not fit in half this machine's memory."""
    budget = memory_bytes() // 2
    if nbytes > budget:
        raise SizeError(
            f"{what} needs {_gib(nbytes)}, over half this machine's {_gib(2 * budget)} memory\n"
            f"  {fix}"
        )


def check_training_sizes(batch_size: int, clips: int, frames: int, height: int, width: int) -> None:
    """Refuse a training batch or a dataset order that would not fit in memory."""
    check_fits(
        8 * clips,
        f"the shuffled order of {clips} clips",
        "lower the dataset's number of videos (data.videos)",
    )
    check_fits(
        4 * batch_size * frames * 3 * height * width,
        f"train.batch_size {batch_size} of {frames}-frame {height}x{width} clips (float32)",
        "lower train.batch_size",
    )


def int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected an integer from {low} to {high}, got {value}"
            )
        return value

    parse.__name__ = "integer"
    return parse


def float_in(
    low: float = -math.inf, high: float = math.inf, *, above: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number in [low, high] (`above`: strictly above `low`)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        lowest = f"above {low:g}" if above else f"at least {low:g}"
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
        if value < low or (above and value == low) or value > high:
            upto = f" and at most {high:g}" if math.isfinite(high) else ""
            raise argparse.ArgumentTypeError(
                f"expected a number {lowest}{upto}, got {text}"
                if math.isfinite(low)
                else f"expected a number of at most {high:g}, got {text}"
            )
        return value

    parse.__name__ = "number"
    return parse


def device_problem(choice: str, what: str) -> str | None:
    """Why the device `choice` ('auto', 'cpu', 'cuda', 'cuda:N') is unusable here, or None."""
    if choice in ("auto", "cpu"):
        return None
    if choice != "cuda" and not (choice.startswith("cuda:") and choice[5:].isdigit()):
        return f"{what} '{choice}': expected auto, cpu, cuda or cuda:N"
    import torch  # here, so that building the argument parser stays light
    if not torch.cuda.is_available():
        why = "this torch is built without CUDA" if torch.version.cuda is None else "no GPU found"
        return f"{what} '{choice}' needs CUDA, which this machine lacks ({why})"
    if choice[5:] and int(choice[5:]) >= torch.cuda.device_count():
        return f"{what} '{choice}': this machine has {torch.cuda.device_count()} GPU(s)"
    return None


def device(text: str) -> str:
    """An argparse type: a device this machine has (auto, cpu, cuda, cuda:N)."""
    problem = device_problem(text, "device")
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}; use auto or cpu")
    return text


def folder_problem(folder: str | Path) -> str | None:
    """Why `folder` cannot be used or created as a folder to write into, or None."""
    path = Path(folder)
    try:
        existing = next(p for p in (path, *path.parents) if p.exists())
    except (OSError, ValueError, StopIteration) as exc:  # a NUL byte, a name too long
        return f"'{folder}' is not a usable path ({exc})"
    if not existing.is_dir():
        return f"'{existing}' is a file, expected a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"'{existing}' is not writable"
    return None


def output_folder(text: str) -> str:
    """An argparse type: a folder to write into (existing, or one that can be made)."""
    problem = folder_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}; name a folder")
    return text


def output_file(text: str) -> str:
    """An argparse type: a file to write (not a folder; its folder usable or creatable)."""
    path = Path(text)
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a usable path ({exc})") from None
    if is_dir:
        raise argparse.ArgumentTypeError(f"'{text}' is a folder, expected a file name")
    problem = folder_problem(path.parent)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}; choose another file")
    return text
