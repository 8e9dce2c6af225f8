"""`inrvid run <recipe> [key=value ...] [--resume <run dir | checkpoint>]`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from inrvid.base.errors import CheckpointError

# `configure` alone runs to build the CLI parser (and `--help`): recipes, checkpoints and
# torch are imported when the command runs.


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid run`."""
    parser.add_argument("recipe", nargs="?", help="recipe YAML (not needed with --resume)")
    parser.add_argument("overrides", nargs="*", help="key.sub=value overrides")
    parser.add_argument(
        "--resume",
        metavar="RUN_OR_CHECKPOINT",
        help="continue a run from its latest checkpoint (or this checkpoint)",
    )
    parser.add_argument("--quiet", action="store_true", help="no live progress display")


def run(args: argparse.Namespace, argv: list[str], positions: list[int]) -> int:
    """Train a recipe, or resume a run exactly where its checkpoint left it."""
    from inrvid.recipe import load_recipe
    from inrvid.recipe.machine import check_machine
    from inrvid.runtime import checkpoint as ckpt
    from inrvid.train.loop import train

    overrides = list(args.overrides)
    if args.resume:
        if args.recipe is not None and "=" in args.recipe:
            overrides.insert(0, args.recipe)
        elif args.recipe is not None:
            raise CheckpointError(
                "--resume continues a run with the recipe inside its checkpoint\n"
                f"  drop the recipe argument '{args.recipe}'"
            )
        _remove_stale_temporaries(Path(args.resume))
        checkpoint = ckpt.load(args.resume)
        _check_resumable(checkpoint)
        recipe = checkpoint.validated_recipe(overrides)
        check_machine(recipe, new_run=False)
        train(recipe, argv=argv, resume_state=checkpoint, run_dir=checkpoint.run_dir,
              quiet=args.quiet)
        return 0
    if args.recipe is None:
        raise CheckpointError("inrvid run needs a recipe, or --resume <run dir | checkpoint>")
    recipe = load_recipe(args.recipe, overrides, positions)
    check_machine(recipe)
    train(recipe, argv=argv, quiet=args.quiet)
    return 0


def _check_resumable(checkpoint: ckpt.Checkpoint) -> None:
    """Refuse a checkpoint training did not write (`inrvid import`, an export): no run to go on."""
    if checkpoint.exported or checkpoint.origin is not None:
        what = "an export holds a generator only" if checkpoint.exported else (
            "it was written by `inrvid import` and holds no optimiser or data state")
        raise CheckpointError(
            f"{checkpoint.where}: --resume continues one of inrvid's runs; {what}\n"
            f"  start a new run from its networks: inrvid run RECIPE "
            f"train.init_from={checkpoint.path}")


def _remove_stale_temporaries(resume: Path) -> None:
    """Delete what killed writes left in the run folder (rank 0 only, before anything writes).

    Checkpoints, and the run's other files (the metrics.jsonl rewrite, sample videos):
    every atomic write leaves its temporary file only when it is killed.
    """
    from inrvid.base import files
    from inrvid.runtime import checkpoint as ckpt

    if os.environ.get("RANK", "0") != "0":
        return
    folder = resume if resume.is_dir() else resume.parent
    for candidate in (folder / "checkpoints", folder):
        ckpt.remove_temporaries(candidate)
    run = folder.parent if folder.name == "checkpoints" else folder
    for candidate in (run, run / "samples"):
        files.remove_stale_temps(candidate)
