"""Metric curves over training (kimg) of several runs, one panel per metric key, as a PNG."""

from __future__ import annotations

import math
from pathlib import Path

from inrvid.evaluation.runs import RunRecord


def plot_curves(runs: list[RunRecord], keys: list[str], path: Path) -> Path:
    """Draw every run's curve of each `role/key` in its own panel; write `path` (PNG).

    Uses matplotlib's Agg canvas directly (no pyplot, no display, no global state).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = max(len(keys), 1)
    columns = min(panels, 3)
    rows = math.ceil(panels / columns)
    figure = Figure(figsize=(4.5 * columns, 3.2 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False).flatten()
    for ax, key in zip(axes, keys, strict=False):
        for run in runs:
            curve = run.curves.get(key)
            if curve is None or not curve.values:
                continue
            ax.plot(curve.kimg, curve.values, marker="o", markersize=3, label=run.label)
        ax.set_title(key)
        ax.set_xlabel("kimg")
        ax.grid(alpha=0.3)
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    if keys:
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            figure.legend(
                handles,
                labels,
                loc="outside lower center",
                ncols=min(len(runs), 3),
                fontsize="small",
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=100)
    return path
