"""A plug-in that adds one command, `inrvid fixture-hello --name NAME`."""

import argparse

from inrvid import hookimpl

INRVID_API = "1.0"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, help="who to greet")


def run(args: argparse.Namespace) -> int:
    print(f"hello {args.name}")
    return 4  # a status of its own, passed through


@hookimpl
def inrvid_add_commands(commands):
    commands.add("fixture-hello", help="greet someone", configure=configure, run=run)
