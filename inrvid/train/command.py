"""`inrvid run <recipe> [key=value ...] [--resume <run dir | checkpoint>]`."""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from inrvid.base import threads
from inrvid.base.console import err
from inrvid.base.errors import CheckpointError
from inrvid.train import slurm
from inrvid.train.stopping import STOPPED_EXIT, RunStopped

if TYPE_CHECKING:
    from inrvid.loading.plugins import Plugins
    from inrvid.recipe import Recipe
    from inrvid.runtime import checkpoint as ckpt

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
    threads.add_argument(parser)


def run(args: argparse.Namespace, argv: list[str], positions: list[int]) -> int:
    """Train a recipe, or resume a run exactly where its checkpoint left it.

    A run stopped by a signal (`inrvid.train.stopping`) exits with `STOPPED_EXIT` after its
    checkpoint; under SLURM, after a SIGUSR1, the job is requeued to continue it.
    """
    from inrvid.recipe import load_recipe
    from inrvid.recipe.machine import check_machine
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
        return _resume(Path(args.resume), overrides, args, argv)
    if args.recipe is None:
        raise CheckpointError("inrvid run needs a recipe, or --resume <run dir | checkpoint>")
    recipe = load_recipe(args.recipe, overrides, positions, plugins=args.plugins)
    previous = slurm.requeued_run(recipe)
    if previous is not None:
        if _is_main():
            err.print(
                f"SLURM job {slurm.job_id()} was requeued: continuing its run "
                f"{escape(str(previous))} from the newest checkpoint (output.resume: auto)",
                soft_wrap=True,
            )
        return _resume(previous, overrides, args, argv)
    check_machine(recipe)
    threads.apply(args.threads, recipe.train.threads)
    try:
        train(recipe, args.plugins, argv=argv, quiet=args.quiet)
    except RunStopped as stopped:
        return _stopped(stopped, recipe)
    return 0


def _resume(resume: Path, overrides: list[str], args: argparse.Namespace, argv: list[str]) -> int:
    from inrvid.train.loop import train

    checkpoint, recipe = prepare_resume(resume, args.plugins, overrides, args.threads)
    try:
        train(recipe, args.plugins, argv=argv, resume_state=checkpoint, run_dir=checkpoint.run_dir,
              quiet=args.quiet)
    except RunStopped as stopped:
        return _stopped(stopped, recipe)
    return 0


def prepare_resume(
    path: Path,
    plugins: Plugins,
    overrides: list[str] | tuple[str, ...] = (),
    thread_option: int | None = None,
) -> tuple[ckpt.Checkpoint, Recipe]:
    """What continuing a run needs before training: its checkpoint and validated recipe.

    What killed writes left in the run folder is removed, the checkpoint must be one training
    wrote, the recipe is the checkpoint's own (with `overrides`) and must suit this machine,
    and the threads are set. `inrvid run --resume` and `inrvid study` both go through here;
    train with `resume_state=checkpoint, run_dir=checkpoint.run_dir`.
    """
    from inrvid.recipe.machine import check_machine
    from inrvid.runtime import checkpoint as ckpt

    _remove_stale_temporaries(path)
    checkpoint = ckpt.load(path)
    _check_resumable(checkpoint)
    recipe = checkpoint.validated_recipe(plugins, overrides)
    check_machine(recipe, new_run=False)
    threads.apply(thread_option, recipe.train.threads)
    return checkpoint, recipe


def _check_resumable(checkpoint: ckpt.Checkpoint) -> None:
    """Refuse a checkpoint training did not write (`inrvid import`, an export): no run to go on."""
    if checkpoint.exported or checkpoint.origin is not None:
        what = "an export holds a generator only" if checkpoint.exported else (
            "it was written by `inrvid import` and holds no optimiser or data state")
        raise CheckpointError(
            f"{checkpoint.where}: --resume continues one of inrvid's runs; {what}\n"
            f"  start a new run from its networks: inrvid run RECIPE "
            f"train.init_from={checkpoint.path}")


def _stopped(stopped: RunStopped, recipe: Recipe) -> int:
    """Say where the checkpoint is and how to continue; under SLURM, ask for a requeue."""
    if not _is_main():
        return STOPPED_EXIT
    err.print(
        f"stopped on {stopped.signal_name} after step {stopped.step} "
        f"({stopped.images_seen / 1000:g} kimg)\n"
        f"checkpoint: {escape(str(stopped.checkpoint))}\n"
        f"continue with: inrvid run --resume {escape(str(stopped.run_dir))}", soft_wrap=True,
    )
    job = slurm.job_id()
    if job is None or stopped.signum != signal.SIGUSR1:
        return STOPPED_EXIT
    if recipe.output.resume != "auto":
        err.print(f"SLURM job {job} not requeued: output.resume is never, so a requeued job "
                  "would start a new run")
        return STOPPED_EXIT
    refused = slurm.request_requeue(job)
    if refused is None:
        err.print(f"asked SLURM to requeue job {job}: it continues this run from the checkpoint "
                  "(output.resume: auto)")
    else:
        err.print(f"SLURM did not requeue job {job}: {escape(refused)}\n"
                  "  submit the job with `sbatch --requeue`, or continue it by hand as above",
                  soft_wrap=True)
    return STOPPED_EXIT


def _is_main() -> bool:
    """Whether this is rank 0 (or the only process); read before the process group exists."""
    return os.environ.get("RANK", "0") == "0"


def _remove_stale_temporaries(resume: Path) -> None:
    """Delete what killed writes left in the run folder (rank 0 only, before anything writes).

    Checkpoints, and the run's other files (the metrics.jsonl rewrite, sample videos):
    every atomic write leaves its temporary file only when it is killed.
    """
    from inrvid.base import files
    from inrvid.runtime import checkpoint as ckpt

    if not _is_main():
        return
    folder = resume if resume.is_dir() else resume.parent
    for candidate in (folder / "checkpoints", folder):
        ckpt.remove_temporaries(candidate)
    run = folder.parent if folder.name == "checkpoints" else folder
    for candidate in (run, run / "samples"):
        files.remove_stale_temps(candidate)
