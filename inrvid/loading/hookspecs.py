"""Every hook specification of inrvid, and nothing else.

A plug-in module implements some of these with `@inrvid.hookimpl` (the marker is
`inrvid.components.markers.hookimpl`). pluggy calls an implementation with only the arguments
it declares, so a spec may gain arguments in a minor API version; removing or renaming one is a
major version.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from inrvid.components.markers import hookspec

if TYPE_CHECKING:
    from inrvid.components.commands import CommandTable
    from inrvid.components.importers import ImporterTable
    from inrvid.loading.registrar import Registrar
    from inrvid.recipe.errors import RecipeProblem
    from inrvid.recipe.schema import Recipe
    from inrvid.video import VideoReader


@hookspec
def inrvid_register_components(registrar: Registrar) -> None:
    """Add this plug-in's components to the registries.

    Called once per plug-in, for that plug-in alone, right after it loads. `registrar` is
    bound to the plug-in's origin: call `registrar.generator(name, Config, factory,
    summary=...)`, likewise for every kind of the table `inrvid.components.kinds.KINDS`
    (`encoder`, `discriminator`, `loss`, ...), or `registrar.add(kind, name, Config,
    factory, summary=...)`. Components are kept only if the hook returns normally; if it
    raises, the plug-in is reported as `failed: registration` and none of them remain.
    Return nothing.
    """


@hookspec
def inrvid_add_commands(commands: CommandTable) -> None:
    """Add `inrvid <name>` subcommands.

    Called for every plug-in when the CLI starts. `commands.add(name, help=..., configure=...,
    run=...)` takes a name that is not a core command, a one-line help text, a function that
    adds arguments to an `argparse.ArgumentParser`, and a function that receives the parsed
    `argparse.Namespace` and returns an exit status (None means 0). Return nothing.
    """


@hookspec
def inrvid_snapshot_importers(importers: ImporterTable) -> None:
    """Add importers of a release's snapshots, for `inrvid import <release> SNAPSHOT.pkl`.

    Called for every plug-in when `inrvid import` runs. `importers.add(importer)` takes an
    `inrvid.components.importers.SnapshotImporter` whose `name` is the release's word on the
    command line (`digan`); a name another plug-in added is refused. Return nothing.
    """


@hookspec
def inrvid_check_recipe(recipe: Recipe) -> list[RecipeProblem]:
    """Report problems across recipe sections, after validation and before building.

    Called for every plug-in; the returned lists are concatenated. Each `RecipeProblem` has
    a dotted `path` (e.g. `data.clip_frames`), which the core turns into file:line:col, and a
    `message`. Return an empty list when all is well. The hook must not change the recipe.
    """


@hookspec(firstresult=True)
def inrvid_open_video(path: Path) -> VideoReader | None:
    """Return a reader for the video at `path`, or None if this plug-in does not decode it.

    Called whenever inrvid opens a video file or frame folder; the first non-None result
    wins. The core's PyAV reader is registered `trylast=True`, so a plug-in reader for a
    format of its own is tried first.
    """
