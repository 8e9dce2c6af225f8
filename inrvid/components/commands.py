"""The table of `inrvid` subcommands that plug-ins extend through `inrvid_add_commands`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

from inrvid.base.errors import PluginError
from inrvid.base.progress import MODES

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], "int | None"]


@dataclass
class Command:
    """One subcommand: its name, one-line help, argument set-up and action."""

    name: str
    help: str
    configure: Configure
    run: Run
    owner: str = "inrvid"


@dataclass
class CommandTable:
    """Subcommands by name; core names are reserved and a plug-in cannot take them."""

    reserved: frozenset[str] = frozenset()
    commands: dict[str, Command] = field(default_factory=dict)
    owner: str = "inrvid"

    def add(self, name: str, *, help: str, configure: Configure, run: Run) -> None:
        """Add `inrvid <name>`."""
        core = self.owner == "inrvid" or self.owner.startswith("inrvid.")
        if name in self.reserved and not core:
            raise PluginError(f"plug-in '{self.owner}' tried to add core command '{name}'")
        if name in self.commands:
            first = self.commands[name].owner
            raise PluginError(f"command '{name}' is added by both '{first}' and '{self.owner}'")
        self.commands[name] = Command(name, help, configure, run, self.owner)


def common_options() -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (an argparse parent)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--strict-plugins",
        action="store_true",
        default=argparse.SUPPRESS,  # given before or after the command, never reset by the other
        help="exit with status 3 if any plug-in failed to load",
    )
    common.add_argument(
        "--progress",
        choices=MODES,
        default=argparse.SUPPRESS,  # given before or after the command, never reset by the other
        help="rich: live display (terminals); plain: a line at a steady cadence (log files); "
        "none; auto (default): rich on a terminal, else plain",
    )
    return common
