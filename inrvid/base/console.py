"""The rich consoles inrvid writes to: user messages go to stderr, results to stdout."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def warn(message: str) -> None:
    """A warning on stderr: first line after `warning:`, the rest indented as given."""
    err.print(f"[yellow]warning:[/yellow] {escape(message)}", markup=True, soft_wrap=True)
