"""The rich consoles inrvid writes to: user messages go to stderr, results to stdout."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def warn(message: str) -> None:
    """A warning on stderr: first line after `warning:`, the rest indented as given."""
    err.print(f"[yellow]warning:[/yellow] {escape(message)}", markup=True, soft_wrap=True)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 video`, `2 videos`, `0 videos` (`plural` for irregular nouns)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
