"""The core's `inrvid_add_commands` implementation for this package's commands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import pluggy

from inrvid.evaluation.arguments import configure_compare, configure_eval

if TYPE_CHECKING:
    from inrvid.commands import CommandTable

hookimpl = pluggy.HookimplMarker("inrvid")


def run_eval(args: argparse.Namespace) -> int:
    """`inrvid eval` (its modules load only when the command runs)."""
    from inrvid.evaluation.eval_command import run

    return run(args)


def run_compare(args: argparse.Namespace) -> int:
    """`inrvid compare` (its modules load only when the command runs)."""
    from inrvid.evaluation.compare_command import run

    return run(args)


@hookimpl
def inrvid_add_commands(commands: CommandTable) -> None:
    """Add `inrvid eval` and `inrvid compare`."""
    commands.add(
        "eval",
        help="score a checkpoint or a folder of videos (FVD, KVD, IS, FID, SWD)",
        configure=configure_eval,
        run=run_eval,
    )
    commands.add(
        "compare",
        help="table and plot of the metrics of several runs (ablations)",
        configure=configure_compare,
        run=run_compare,
    )
