"""The core's `inrvid_add_commands` implementation for this package's commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from inrvid.commands import CommandTable

hookimpl = pluggy.HookimplMarker("inrvid")


@hookimpl
def inrvid_add_commands(commands: CommandTable) -> None:
    """Add `inrvid eval` and `inrvid compare`."""
    from inrvid.evaluation import compare_command, eval_command

    commands.add(
        "eval",
        help="score a checkpoint or a folder of videos (FVD, KVD, IS, FID, SWD)",
        configure=eval_command.configure,
        run=eval_command.run,
    )
    commands.add(
        "compare",
        help="table and plot of the metrics of several runs (ablations)",
        configure=compare_command.configure,
        run=compare_command.run,
    )
