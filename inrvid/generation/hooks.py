"""The core's `inrvid_add_commands` implementation for this package's commands."""

from __future__ import annotations

import argparse

import pluggy

from inrvid.commands import CommandTable

hookimpl = pluggy.HookimplMarker("inrvid")


def _configure_generate(parser: argparse.ArgumentParser) -> None:
    from inrvid.generation import generate

    generate.configure(parser)


def _run_generate(args: argparse.Namespace) -> int:
    from inrvid.generation import generate

    return generate.run(args)


def _configure_predict(parser: argparse.ArgumentParser) -> None:
    from inrvid.generation import predict

    predict.configure(parser)


def _run_predict(args: argparse.Namespace) -> int:
    from inrvid.generation import predict

    return predict.run(args)


@hookimpl
def inrvid_add_commands(commands: CommandTable) -> None:
    """Add `inrvid generate` and `inrvid predict` (their modules load only when used)."""
    commands.add(
        "generate",
        help="render videos from a checkpoint: any length, frame rate, resolution; modes",
        configure=_configure_generate,
        run=_run_generate,
    )
    commands.add(
        "predict",
        help="fit latents to observed frames of a clip and render past and future frames",
        configure=_configure_predict,
        run=_run_predict,
    )
