"""PNG plots of metrics: curves over training (kimg), with bands, and bar charts of final values.

`inrvid compare` draws each run's curves; a study draws each variant's mean over seeds with
its 95 % interval as a band, and a bar chart of the final scores with interval whiskers.
Matplotlib's Agg canvas is used directly (no pyplot, no display, no global state).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inrvid.base import files
from inrvid.evaluation.runs import RunRecord


@dataclass
class Series:
    """One line of a panel: x and y, with an optional band (low, high) around it."""

    label: str
    x: list[float]
    y: list[float]
    low: list[float] | None = None
    high: list[float] | None = None


@dataclass
class Bar:
    """One bar of a panel: a value with optional interval bounds; `reference` is hatched."""

    label: str
    value: float
    low: float = math.nan
    high: float = math.nan
    reference: bool = False
    points: tuple[float, ...] = ()  # the values behind the bar (one per seed), drawn as dots


def _figure(panels: int, width: float = 4.5, height: float = 3.2) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = min(max(panels, 1), 3)
    rows = math.ceil(max(panels, 1) / columns)
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    FigureCanvasAgg(figure)
    axes = list(figure.subplots(rows, columns, squeeze=False).flatten())
    for ax in axes[panels:]:
        ax.set_visible(False)
    return figure, axes


def _save(figure: Any, path: Path) -> Path:
    """Write the figure as a PNG atomically (`inrvid.base.files`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with files.atomic_write(path) as f:
        figure.savefig(f, format="png", dpi=100)
    return path


def plot_series(
    panels: dict[str, list[Series]], path: Path, references: dict[str, float] | None = None
) -> Path:
    """One panel per key, each series a line (its band shaded); write `path` (PNG).

    `references` draws a dashed horizontal line in a key's panel (e.g. the real-data floor).
    """
    figure, axes = _figure(len(panels))
    labels: list[str] = []
    for ax, (key, series) in zip(axes, panels.items(), strict=False):
        for s in series:
            (line,) = ax.plot(s.x, s.y, marker="o", markersize=3, label=s.label)
            if s.low is not None and s.high is not None:
                ax.fill_between(s.x, s.low, s.high, color=line.get_color(), alpha=0.2)
        if references and key in references:
            ax.axhline(references[key], color="black", linestyle="--", linewidth=1,
                       label="real data (floor)")
        ax.set_title(key)
        ax.set_xlabel("kimg")
        ax.grid(alpha=0.3)
        labels += [s.label for s in series if s.label not in labels]
    if panels:
        handles, names = axes[0].get_legend_handles_labels()
        if handles:
            figure.legend(handles, names, loc="outside lower center",
                          ncols=min(len(names), 3), fontsize="small")
    return _save(figure, path)


def plot_bars(
    panels: dict[str, list[Bar]], path: Path, references: dict[str, float] | None = None
) -> Path:
    """One panel per key: a bar per label with interval whiskers; write `path` (PNG)."""
    figure, axes = _figure(len(panels), width=4.8, height=3.4)
    for ax, (key, bars) in zip(axes, panels.items(), strict=False):
        x = list(range(len(bars)))
        heights = [b.value for b in bars]
        below = [b.value - b.low if not math.isnan(b.low) else 0.0 for b in bars]
        above = [b.high - b.value if not math.isnan(b.high) else 0.0 for b in bars]
        drawn = ax.bar(x, heights, yerr=[below, above], capsize=3, color="tab:blue", alpha=0.8)
        for patch, bar in zip(drawn, bars, strict=True):
            if bar.reference:
                patch.set_color("tab:gray")
                patch.set_hatch("//")
        for i, bar in enumerate(bars):
            ax.plot([i] * len(bar.points), bar.points, "o", color="black", markersize=3)
        if references and key in references:
            ax.axhline(references[key], color="black", linestyle="--", linewidth=1)
        ax.set_xticks(x, [b.label for b in bars], rotation=35, ha="right", fontsize="small")
        ax.set_title(key)
        ax.grid(alpha=0.3, axis="y")
    return _save(figure, path)


def plot_curves(runs: Sequence[RunRecord], keys: list[str], path: Path) -> Path:
    """Every run's curve of each `role/key` in its own panel; write `path` (PNG)."""
    panels = {
        key: [Series(run.label, run.curves[key].kimg, run.curves[key].values)
              for run in runs if key in run.curves and run.curves[key].values]
        for key in keys
    }
    return plot_series(panels, path)
