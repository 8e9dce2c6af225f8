"""`inrvid plugin new`: its arguments and action (a row of the core command table)."""

from __future__ import annotations

import argparse
from pathlib import Path

KIND_NAMES = ("generator", "encoder", "discriminator", "loss", "dataset", "metric", "augment",
              "sampler")


def configure(parser: argparse.ArgumentParser) -> None:
    """`plugin new NAME --kind KIND [--dir DIR]`."""
    sub = parser.add_subparsers(dest="plugin_command", metavar="<new>")
    sub.required = True
    new = sub.add_parser("new", help="write a ready-to-install plug-in distribution inrvid-NAME/")
    new.add_argument("name", help="lower_snake name: package inrvid_NAME, component NAME_<kind>")
    new.add_argument("--kind", required=True, choices=KIND_NAMES,
                     help="the registry of the component to write")
    new.add_argument("--dir", default=".", help="folder to create inrvid-NAME/ in (default: .)")


def run(args: argparse.Namespace) -> int:
    """Write the distribution and print how to install, test and train it."""
    from rich.markup import escape

    from inrvid.base import console
    from inrvid.scaffold import install_path, new_plugin

    target = new_plugin(args.name, args.kind, Path(args.dir))
    console.out.print(
        f"wrote {escape(str(target))}/ ({args.kind} {args.name}_{args.kind})\n"
        f"  pip install {escape(install_path(target))}\n"
        f"  pytest {escape(str(target / 'tests'))}\n"
        f"  inrvid run {escape(str(target / 'recipes' / (args.name + '.yaml')))}",
        soft_wrap=True,
    )
    return 0
