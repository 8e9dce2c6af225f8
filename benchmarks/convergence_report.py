"""The half of `benchmarks/convergence.py` that trains nothing: where to stop next, the
SWD/floor ratios, the table, the curve plot and the generated-beside-real grid image.

Points are counted in images (videos) seen, as the run's checkpoints are; a run stops at the
first multiple of its batch at or past a point, so a point's recorded kimg may be a little
past the asked one.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from inrvid.base import files
from inrvid.video import tile_grid

# the default points run on until the budget stops them; this only bounds the list
GEOMETRIC_LIMIT_KIMG = 100_000.0
# a last, budget-sized segment shorter than this share of the budget is not worth its scoring
MIN_BUDGET_SEGMENT = 0.02
METRICS = ("swd", "swd_motion")
LABELS = {"swd": "frames", "swd_motion": "motion"}


def geometric_points(limit_kimg: float = GEOMETRIC_LIMIT_KIMG) -> list[float]:
    """1, 2, 3, 4, 6, 8, 12, 16, ... kimg (steps of about √2) up to `limit_kimg`."""
    points = [1.0]
    power = 2.0
    while power <= limit_kimg:
        points += [p for p in (power, 1.5 * power) if p <= limit_kimg]
        power *= 2
    return points


def point_images(points_kimg: Iterable[float]) -> list[int]:
    """Points in kimg -> sorted, distinct images-seen targets; each must be > 0."""
    images = set()
    for p in points_kimg:
        if not math.isfinite(p) or p <= 0:
            raise ValueError(f"--points-kimg: got {p}, expected kimg values > 0")
        images.add(round(p * 1000))
    return sorted(images)


@dataclass(frozen=True)
class Segment:
    """Train on to `target_images`; `reason` is `point` (a fixed point) or `budget` (its end)."""

    target_images: int
    reason: str


def next_segment(
    points: Sequence[int],
    images_seen: int,
    *,
    batch: int,
    train_minutes: float,
    budget_minutes: float | None,
    s_per_kimg: float | None,
) -> tuple[Segment | None, str]:
    """The next stretch of training, or None with why the benchmark stops.

    The next fixed point past `images_seen`, unless the training rate of the last stretch
    (`s_per_kimg`) says it would end past the budget: then a last stretch sized to end at the
    budget (whole batches), or none when that is under `MIN_BUDGET_SEGMENT` of the budget.
    """
    ahead = [p for p in points if p > images_seen]
    if not ahead:
        return None, "points done"
    if budget_minutes is None:
        return Segment(ahead[0], "point"), ""
    left_minutes = budget_minutes - train_minutes
    if left_minutes <= MIN_BUDGET_SEGMENT * budget_minutes:
        return None, "budget spent"
    if s_per_kimg is None or s_per_kimg <= 0:
        return Segment(ahead[0], "point"), ""          # no rate yet: the first point
    fits = int(left_minutes * 60 / s_per_kimg * 1000) // batch * batch
    if images_seen + fits >= ahead[0]:
        return Segment(ahead[0], "point"), ""
    if fits < batch:
        return None, "budget spent"
    return Segment(images_seen + fits, "budget"), ""


def stretch_minutes(lines: Sequence[dict[str, Any]], starts: Sequence[int], end: int) -> float:
    """Training minutes from `starts[0]` to `end` images, read from a run's metrics.jsonl lines.

    A stretch stopped by a signal checkpoints mid-way and is resumed there, so it may have
    several starts; each part ran in its own process, whose `s_per_kimg` (seconds per kimg
    since that process began training) at its last line before the next start times it. A
    part with no line of its own (stopped before its first) takes the rate of the part after.
    """
    bounds = sorted({*starts, end})
    rates: list[float | None] = []
    for a, b in itertools.pairwise(bounds):
        logged = [r["s_per_kimg"] for r in lines
                  if "s_per_kimg" in r and a < r.get("images_seen", -1) <= b]
        rates.append(logged[-1] if logged else None)
    if rates and rates[-1] is None:
        raise ValueError(f"metrics.jsonl: no s_per_kimg line between {bounds[-2]} and {end} "
                         "images, expected the line that ends each stretch")
    minutes = 0.0
    later = 0.0
    for (a, b), rate in reversed(list(zip(itertools.pairwise(bounds), rates, strict=True))):
        later = rate if rate is not None else later
        minutes += later * (b - a) / 6e4
    return minutes


def with_ratios(point: dict[str, Any], floor: dict[str, float]) -> dict[str, Any]:
    """`point` with `<metric>_over_floor` for frame and motion SWD (1.0: as close as reals)."""
    out = dict(point)
    for metric in METRICS:
        if floor.get(metric, 0) <= 0:
            raise ValueError(f"real floor of {metric}: got {floor.get(metric)}, expected > 0")
        out[f"{metric}_over_floor"] = point[metric] / floor[metric]
    return out


def best(points: Sequence[dict[str, Any]], metric: str) -> dict[str, Any] | None:
    """The point with the lowest `<metric>_over_floor`, or None when there are no points."""
    return min(points, key=lambda p: p[f"{metric}_over_floor"], default=None)


def table(results: dict[str, Any]) -> str:
    """The points as a plain-text table, with the floor and the machine load."""
    floor = results["floor"]
    head = (f"{'kimg':>8} {'train min':>9} {'wall min':>8} {'frames SWD':>10} {'×floor':>7} "
            f"{'motion SWD':>10} {'×floor':>7} {'load 1m':>7}  stop")
    lines = [
        f"{results['recipe']} {' '.join(results['overrides'])}".rstrip(),
        f"real floor: frames {floor['swd']:.1f}, motion {floor['swd_motion']:.1f} "
        f"(metric '{results['metric']}'); " + (
            f"budget {results['budget_minutes']:g} min of training"
            if results["budget_minutes"] is not None else "no time budget"),
        head,
    ]
    for p in results["points"]:
        lines.append(
            f"{p['kimg']:>8.3f} {p['train_minutes']:>9.2f} {p['wall_minutes']:>8.2f} "
            f"{p['swd']:>10.1f} {p['swd_over_floor']:>7.2f} {p['swd_motion']:>10.1f} "
            f"{p['swd_motion_over_floor']:>7.2f} {p['load_1min']:>7.2f}  {p['reason']}"
        )
    machine = results["machine"]
    sessions = results["sessions"]
    loads = ", ".join(
        f"{s['load_start'][0]:.2f}→{s['load_end'][0]:.2f}" if s.get("load_end")
        else f"{s['load_start'][0]:.2f}→(stopped)" for s in sessions)
    lines.append(
        f"machine: {machine['cpu_count']} CPUs ({machine['cpus_usable']} usable), torch "
        f"threads {machine['torch_threads']}; 1-min load per session {loads}; "
        f"stopped: {results.get('stopped') or 'running'}"
    )
    return "\n".join(lines)


def plot_curves(results: dict[str, Any], path: Path) -> Path:
    """Frame and motion SWD / floor against kimg and against training minutes; PNG at `path`.

    The floor is the line at 1×: a generator as close to the data as a second sample of real
    clips. Uses matplotlib's Agg canvas directly (no pyplot, no display).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    points = results["points"]
    figure = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2, sharey=True)
    for ax, x_key, x_label in ((axes[0], "kimg", "kimg (thousands of videos seen)"),
                               (axes[1], "train_minutes", "training wall-clock minutes")):
        for metric in METRICS:
            ax.plot([p[x_key] for p in points], [p[f"{metric}_over_floor"] for p in points],
                    marker="o", markersize=3, label=f"{LABELS[metric]} SWD / floor")
        ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="real floor (1×)")
        ax.set_xlabel(x_label)
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("SWD / real-vs-real floor")
    axes[0].legend(fontsize="small")
    machine = results["machine"]
    figure.suptitle(textwrap.fill(
        f"{Path(results['recipe']).name} {' '.join(results['overrides'])} — "
        f"{machine['cpus_usable']} CPUs, {machine['torch_threads']} torch threads", 120),
        fontsize="medium",
    )
    with files.atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100)
    return path


def frame_columns(frames: int, columns: int) -> torch.Tensor:
    """`columns` frame indices spread evenly over `frames`, first and last included."""
    return torch.linspace(0, frames - 1, min(columns, frames)).round().long()


def videos_by_frames(videos: torch.Tensor, rows: int, columns: int) -> torch.Tensor:
    """uint8 `b t c h w` -> one image `c H W`: a row per video, a column per chosen frame."""
    picked = videos[:rows, frame_columns(videos.shape[1], columns)]          # r k c h w
    cells = picked.reshape(-1, 1, *picked.shape[2:])                         # (r k) 1 c h w
    return tile_grid(cells, columns=picked.shape[1])[0]                      # c H W


def grid_image(
    path: Path, generated: torch.Tensor, real: torch.Tensor, *, title: str,
    rows: int = 4, columns: int = 6,
) -> Path:
    """Generated videos beside real clips (uint8 `b t c h w` each, the same times): a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [(videos_by_frames(generated, rows, columns), title),
              (videos_by_frames(real, rows, columns), "real clips at the same times")]
    height, width = panels[0][0].shape[1:]
    zoom = max(1, math.ceil(96 / generated.shape[-1])) / 100     # inches per pixel at 100 dpi
    figure = Figure(figsize=(2 * width * zoom + 0.3, height * zoom + 0.5), layout="constrained")
    FigureCanvasAgg(figure)
    for ax, (image, label) in zip(figure.subplots(1, 2), panels, strict=True):
        ax.imshow(image.permute(1, 2, 0).numpy(), interpolation="nearest")
        ax.set_title(label, fontsize="small")
        ax.set_axis_off()
    with files.atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100)
    return path
