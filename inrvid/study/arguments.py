"""Command-line arguments of `inrvid study` (building the parser imports nothing heavy)."""

from __future__ import annotations

import argparse

from inrvid.base import limits

MAX_JOBS = 256


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid study`."""
    parser.add_argument("study", help="study file (YAML): base recipe, variants, seeds, budget")
    parser.add_argument("--out", type=limits.output_folder, metavar="DIR",
                        help="study folder (default: studies/<study name>)")
    parser.add_argument("--jobs", type=limits.int_in(1, MAX_JOBS), default=1,
                        help="runs trained at once on this machine, the threads divided (1)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--slurm", action="store_true",
                      help="write a SLURM job-array script (one task per run) instead of running")
    what.add_argument("--collect", action="store_true",
                      help="only aggregate the complete runs: table, plots")
    what.add_argument("--task", type=limits.int_in(0, 1_000_000), metavar="I",
                      help="bring run I to completion (what each array task runs)")
    parser.add_argument("--sbatch", action="append", default=[], metavar="OPTION",
                        help="an #SBATCH option for --slurm, e.g. --sbatch=--partition=gpu "
                        "(repeatable)")
    parser.add_argument("--cpus-per-task", type=limits.int_in(1, 1024), default=4,
                        help="CPU threads of each array task with --slurm (4)")


def run(args: argparse.Namespace) -> int:
    """`inrvid study` (its modules load only when the command runs)."""
    from inrvid.study.command import run as run_study

    return run_study(args)
