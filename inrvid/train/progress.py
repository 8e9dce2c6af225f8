"""The live display of a run: kimg, s/kimg, losses and ETA (rich, on stderr, rank 0 only)."""

from __future__ import annotations

from types import TracebackType

from rich.live import Live
from rich.table import Table

from inrvid.console import err


class Progress:
    """A one-table live view refreshed a few times a second; silent when disabled."""

    def __init__(self, total_images: int, images_seen: int, enabled: bool = True) -> None:
        self.total = total_images
        self.images_seen = images_seen
        self.s_per_kimg = 0.0
        self.terms: dict[str, float] = {}
        self.live = (
            Live(self._render(), console=err, refresh_per_second=4, transient=False)
            if enabled
            else None
        )

    def _render(self) -> Table:
        table = Table(show_header=True, header_style="bold", box=None)
        for column in ("kimg", "s/kimg", "ETA", "losses"):
            table.add_column(column)
        left_kimg = max(self.total - self.images_seen, 0) / 1000
        eta = left_kimg * self.s_per_kimg
        losses = "  ".join(f"{k} {v:.4g}" for k, v in self.terms.items() if k != "ema_beta")
        table.add_row(
            f"{self.images_seen / 1000:.3f} / {self.total / 1000:.3f}",
            f"{self.s_per_kimg:.1f}",
            _duration(eta),
            losses,
        )
        return table

    def update(self, images_seen: int, s_per_kimg: float, terms: dict[str, float]) -> None:
        """Show the latest counters and loss terms."""
        self.images_seen, self.s_per_kimg, self.terms = images_seen, s_per_kimg, terms
        if self.live is not None:
            self.live.update(self._render())

    def __enter__(self) -> Progress:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.live is not None:
            self.live.__exit__(kind, exc, tb)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
