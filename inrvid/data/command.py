"""`inrvid data inspect <recipe>` and `inrvid data prepare <recipe>`: any registered dataset."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `configure` alone runs to build the CLI parser: nothing heavy up here
    from rich.table import Table

    from inrvid.components.dataset import DatasetSummary, VideoDataset
    from inrvid.loading.plugins import Plugins


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments: the action, the recipe, overrides, --json."""
    parser.add_argument("action", choices=["inspect", "prepare"],
                        help="inspect: print videos, clips, classes and skipped files; "
                        "prepare: build the index now (one full decode per video)")
    parser.add_argument("recipe", help="recipe YAML whose `data` section is used")
    parser.add_argument("overrides", nargs="*", help="key.sub=value overrides")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line")


def build_from_recipe(recipe_path: str, overrides: list[str], plugins: Plugins) -> VideoDataset:
    """The recipe's dataset (indexing it if needed)."""
    from inrvid.recipe import load_recipe
    from inrvid.runtime.build import build_dataset_of

    recipe = load_recipe(recipe_path, overrides, plugins=plugins)
    return build_dataset_of(recipe, plugins)


def summary_table(summary: DatasetSummary, title: str) -> Table:
    """The summary as a rich table: counts, classes, then every skipped file and why."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    table.add_column("item", style="bold", overflow="fold")
    table.add_column("value", overflow="fold")
    table.add_row("videos", str(summary.videos))
    table.add_row("clips", str(summary.clips))
    table.add_row("frames", str(summary.frames))
    classes = ", ".join(summary.classes[:12]) + (" ..." if len(summary.classes) > 12 else "")
    table.add_row("classes", f"{len(summary.classes)}" + (f": {classes}" if classes else ""))
    table.add_row("skipped", str(len(summary.skipped)))
    for skipped in summary.skipped:
        table.add_row(f"[red]{escape(skipped.path)}[/red]", escape(skipped.reason))
    return table


def summary_json(summary: DatasetSummary) -> dict[str, object]:
    """The summary as a JSON-ready dict."""
    return {
        "videos": summary.videos, "clips": summary.clips, "frames": summary.frames,
        "classes": summary.classes,
        "skipped": [{"path": s.path, "reason": s.reason} for s in summary.skipped],
    }


def run(args: argparse.Namespace) -> int:
    """Build the dataset (which indexes it) and print its summary."""
    from inrvid.base import console

    started = time.perf_counter()
    dataset = build_from_recipe(args.recipe, list(args.overrides), args.plugins)
    summary = dataset.summary()
    out = console.out
    if args.json:
        out.print_json(json.dumps(summary_json(summary)))
        return 0
    spec = dataset.video_spec
    title = (f"{type(dataset).__name__}: clips of {spec.frames} x {spec.channels} x "
             f"{spec.height} x {spec.width} at {spec.fps:g} fps")
    out.print(summary_table(summary, title))
    if args.action == "prepare":
        index = getattr(dataset, "index_file", None)
        where = f" into {index}" if index else ""
        out.print(f"indexed{where} in {time.perf_counter() - started:.1f} s")
    return 0
