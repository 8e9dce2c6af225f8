"""The table of `inrvid` subcommands that plug-ins extend through `inrvid_add_commands`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

from inrvid.base.errors import PluginError

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
