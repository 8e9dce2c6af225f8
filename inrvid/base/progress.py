"""Progress on stderr that reads well in a terminal and in a log file.

Three modes:

- `rich`: live bars and a live table, redrawn in place (for terminals);
- `plain`: whole lines at a steady cadence, never redrawn (for log files: SLURM, `nohup`,
  `> run.log`), each with the counts, the rate and the time left;
- `none`: nothing but the commands' own final lines.

`auto` (the default) is `rich` when stderr is a terminal and `plain` otherwise. Choose with
`inrvid --progress MODE <command>` (or after the command), or `INRVID_PROGRESS=MODE` for
processes started by `torchrun`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Literal, get_args

from inrvid.base.errors import InrvidError

if TYPE_CHECKING:
    from rich.table import Table

# rich is imported where a display is drawn: `--progress` is an option of every command, and
# `inrvid --help` must not pay for the live display's imports.

Mode = Literal["rich", "plain", "none"]
MODES: tuple[str, ...] = (*get_args(Mode), "auto")
ENV = "INRVID_PROGRESS"
# A plain bar prints a line at most this often (and always at its start and end).
PLAIN_EVERY_S = 10.0

_chosen: str | None = None


def set_mode(choice: str) -> None:
    """Choose the progress mode for this process: rich, plain, none or auto."""
    global _chosen
    if choice not in MODES:
        raise InrvidError(f"--progress: got '{choice}', expected one of {', '.join(MODES)}")
    _chosen = choice


def mode() -> Mode:
    """The progress mode in force (`auto` resolved against stderr)."""
    choice = _chosen or os.environ.get(ENV, "auto")
    if choice not in MODES:
        raise InrvidError(f"{ENV}: got '{choice}', expected one of {', '.join(MODES)}")
    if choice == "auto":
        from inrvid.base.console import err

        return "rich" if err.is_terminal else "plain"
    return choice  # type: ignore[return-value]


def duration(seconds: float) -> str:
    """`1h02m`, `3m05s`: a duration at the precision a person reads."""
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def plain_line(text: str) -> None:
    """One whole line on stderr, never wrapped or redrawn."""
    from rich.markup import escape

    from inrvid.base.console import err

    err.print(escape(text), soft_wrap=True, highlight=False)


# --- counted work: rendering, inversion, feature extraction, indexing ----------------------------
class _PlainBar:
    """A counted task reported as whole lines: at the start, every few seconds, at the end."""

    def __init__(self, description: str, total: int | None) -> None:
        self.description, self.total = description, total
        self.done = 0.0
        self.start = self.last = time.monotonic()
        plain_line(f"{description}: started" + (f", {total} to do" if total else ""))

    def advance(self, units: float) -> None:
        self.done += units
        now = time.monotonic()
        if now - self.last >= PLAIN_EVERY_S:
            self.last = now
            plain_line(self._status(now))

    def _status(self, now: float) -> str:
        elapsed = now - self.start
        if not self.total:
            return f"{self.description}: {self.done:.0f} in {duration(elapsed)}"
        left = (self.total - self.done) * elapsed / self.done if self.done else 0.0
        return (
            f"{self.description}: {self.done:.0f}/{self.total} "
            f"({100 * self.done / self.total:.0f}%), {duration(elapsed)} elapsed, "
            f"ETA {duration(left)}"
        )

    def finish(self) -> None:
        took = duration(time.monotonic() - self.start)
        plain_line(f"{self.description}: done, {self.done:.0f} in {took}")


@contextmanager
def bar(
    description: str, total: int | None, enabled: bool = True
) -> Iterator[Callable[[float], None]]:
    """A progress report of `total` units (None: unknown); yields `advance(units)`."""
    shown = mode() if enabled else "none"
    if shown == "none":
        yield lambda units: None
    elif shown == "plain":
        task = _PlainBar(description, total)
        yield task.advance
        task.finish()
    else:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from inrvid.base.console import err

        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        )
        with progress:
            task_id = progress.add_task(description, total=total)
            yield lambda units: progress.advance(task_id, units)


# --- a training run: kimg, s/kimg, ETA and the main losses ---------------------------------------
class RunProgress:
    """The display of a training run: a live table (rich) or a line per log interval (plain).

    The loop calls `update` after every step and `line` whenever it writes a log record, so
    plain lines come at the recipe's `train.log_every_kimg` cadence.
    """

    def __init__(self, total_images: int, images_seen: int, enabled: bool = True) -> None:
        self.total = total_images
        self.images_seen = images_seen
        self.s_per_kimg = 0.0
        self.terms: dict[str, float] = {}
        self.mode: Mode = mode() if enabled else "none"
        self.live = None
        if self.mode == "rich":
            from rich.live import Live

            from inrvid.base.console import err

            self.live = Live(self._table(), console=err, refresh_per_second=4, transient=False)

    def _losses(self) -> str:
        return "  ".join(f"{k} {v:.4g}" for k, v in self.terms.items() if k != "ema_beta")

    def _eta(self) -> str:
        return duration(max(self.total - self.images_seen, 0) / 1000 * self.s_per_kimg)

    def _table(self) -> Table:
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", box=None)
        for column in ("kimg", "s/kimg", "ETA", "losses"):
            table.add_column(column)
        table.add_row(
            f"{self.images_seen / 1000:.3f} / {self.total / 1000:.3f}",
            f"{self.s_per_kimg:.1f}",
            self._eta(),
            self._losses(),
        )
        return table

    def update(self, images_seen: int, s_per_kimg: float, terms: dict[str, float]) -> None:
        """Show the latest counters and loss terms (redrawn in rich mode)."""
        self.images_seen, self.s_per_kimg, self.terms = images_seen, s_per_kimg, terms
        if self.live is not None:
            self.live.update(self._table())

    def line(self) -> None:
        """In plain mode, one line with kimg, s/kimg, ETA and the losses."""
        if self.mode != "plain":
            return
        plain_line(
            f"kimg {self.images_seen / 1000:.3f}/{self.total / 1000:.3f}  "
            f"s/kimg {self.s_per_kimg:.1f}  ETA {self._eta()}  {self._losses()}".rstrip()
        )

    def __enter__(self) -> RunProgress:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.live is not None:
            self.live.__exit__(kind, exc, tb)
