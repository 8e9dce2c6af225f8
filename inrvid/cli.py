"""The `inrvid` command line: the core commands (one table, `CORE_COMMANDS`) plus plug-ins'.

An `InrvidError` is printed as a short message without a traceback; anything else keeps
its traceback. `--strict-plugins` turns any plug-in failure into exit status 3. The plug-ins
load once (`inrvid.loading.plugins.load_plugins`) and reach the command as `args.plugins`.

It answers `--help` and `--version` at once: this module and the modules it imports at the
top hold only argument set-ups (`configure`), and the parser configures only the command
named on the command line. torch, the plug-ins and a command's own modules load when a
command runs (plug-ins also when the command is not a core one: it may be theirs).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from inrvid.base.errors import InrvidError, PluginError
from inrvid.base.version import __version__
from inrvid.components.commands import Command, CommandTable, common_options
from inrvid.data import command as data_command
from inrvid.evaluation import arguments as evaluation_arguments
from inrvid.generation import arguments as generation_arguments
from inrvid.interop import commands as interop_commands
from inrvid.loading import listing
from inrvid.scaffold import command as scaffold_command
from inrvid.study import arguments as study_arguments
from inrvid.train import command as train_command

if TYPE_CHECKING:
    from inrvid.loading.plugins import Plugins

STRICT_EXIT = 3


# ---------------------------------------------------------------- inrvid recipe
def configure_recipe(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid recipe show|validate|schema`."""
    common = common_options()
    rsub = parser.add_subparsers(dest="recipe_command", metavar="<show|validate|schema>")
    rsub.required = True
    q = rsub.add_parser("show", parents=[common], help="print a recipe after extends and overrides")
    q.add_argument(
        "--resolved",
        action="store_true",
        help="validate and print every default, each value with its source",
    )
    _recipe_args(q)
    q = rsub.add_parser("validate", parents=[common], help="check a recipe; report every problem")
    _recipe_args(q)
    q = rsub.add_parser("schema", parents=[common], help="JSON Schema of recipes, for editors")
    q.add_argument("--out", help="write to this file instead of stdout")


def cmd_recipe(args: argparse.Namespace) -> int:
    """`recipe show|validate|schema`."""
    import json

    import yaml
    from rich.markup import escape

    from inrvid.base import console, files
    from inrvid.recipe import load_recipe, load_tree
    from inrvid.recipe.errors import RecipeError
    from inrvid.recipe.json_schema import recipe_json_schema
    from inrvid.recipe.resolved import resolved_yaml

    if args.recipe_command == "schema":
        text = json.dumps(recipe_json_schema(args.plugins), indent=2)
        if args.out:
            files.write_text(args.out, text + "\n")
            console.err.print(f"wrote {escape(args.out)}")
        else:
            sys.stdout.write(text + "\n")
        return 0
    positions = args.override_positions
    if args.recipe_command == "show" and not args.resolved:
        loaded = load_tree(args.recipe, args.overrides, positions)
        if loaded.problems:
            raise RecipeError(loaded.problems)
        sys.stdout.write(yaml.safe_dump(loaded.plain(), sort_keys=False))
        return 0
    recipe = load_recipe(args.recipe, args.overrides, positions, plugins=args.plugins)
    if args.recipe_command == "validate":
        from inrvid.recipe.machine import check_machine

        check_machine(recipe)  # what `inrvid run` would refuse on this machine
    if args.recipe_command == "show":
        sys.stdout.write(resolved_yaml(recipe))
    else:
        console.out.print(
            f"ok: {escape(args.recipe)} is valid ({len(recipe.sections())} component sections)",
            soft_wrap=True,
        )
    return 0


def _recipe_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", help="path of the recipe YAML")
    parser.add_argument(
        "overrides", nargs="*", help="key.sub=value overrides, applied after extends"
    )


# ---------------------------------------------------------------- the parser
def override_tokens(parser: argparse.ArgumentParser, argv: Sequence[str]) -> set[int]:
    """Positions of `key=value` overrides in argv.

    They may stand anywhere after the command, but the value of an option that takes one
    (`--weights i3d=PATH`) is not an override.
    """
    current, found = parser, set()
    takes_value = False
    for i, token in enumerate(argv):
        subparsers = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if subparsers and token in subparsers[0].choices:
            current = subparsers[0].choices[token]
            takes_value = False
            continue
        if token.startswith("-"):
            action = current._option_string_actions.get(token.split("=", 1)[0])
            takes_value = action is not None and action.nargs != 0 and "=" not in token
            continue
        if "=" in token and not takes_value:
            found.add(i)
        takes_value = False
    return found


def not_an_override(token: str, argv: Sequence[str], command: str) -> InrvidError:
    """The error for an argument after the recipe that is neither `key=value` nor an option."""
    index = list(argv).index(token)
    after = argv[index + 1] if index + 1 < len(argv) else ""
    value = after if after and "=" not in after and not after.startswith("-") else "VALUE"
    return InrvidError(  # exit status 2, as for every recipe error
        f"command line argument {index + 1}: '{token}' is not an override: every argument "
        f"after the recipe is key=value (or an option of `inrvid {command}`)\n"
        f"  write {token}={value} (`inrvid {command} --help` lists the options)"
    )


def cmd_run(args: argparse.Namespace) -> int:
    """`inrvid run`: train a recipe, or resume a run."""
    return train_command.run(args, list(args.argv), args.override_positions)


def cmd_generate(args: argparse.Namespace) -> int:
    """`inrvid generate` (its module and torch load here, not to build the parser)."""
    from inrvid.generation import generate

    return generate.run(args)


def cmd_predict(args: argparse.Namespace) -> int:
    """`inrvid predict` (its module and torch load here, not to build the parser)."""
    from inrvid.generation import predict

    return predict.run(args)


# Every core command, in `inrvid --help` order: name, one-line help, arguments, action. Their
# names are reserved: a plug-in adds commands of other names through `inrvid_add_commands`.
CORE_COMMANDS: tuple[Command, ...] = (
    Command(
        "plugins", "list plug-ins and what they provide", listing.configure_plugins,
        listing.run_plugins,
    ),
    Command("recipe", "show, validate or describe recipes", configure_recipe, cmd_recipe),
    Command("run", "train a recipe (or resume a run)", train_command.configure, cmd_run),
    Command(
        "describe", "options of one component, or the components of a registry",
        listing.configure_describe, listing.run_describe,
    ),
    Command(
        "generate",
        "render videos from a checkpoint: any length, frame rate, resolution; modes",
        generation_arguments.configure_generate,
        cmd_generate,
    ),
    Command(
        "predict",
        "fit latents to observed frames of a clip and render past and future frames",
        generation_arguments.configure_predict,
        cmd_predict,
    ),
    Command(
        "eval",
        "score a checkpoint or a folder of videos (FVD, KVD, IS, FID, SWD)",
        evaluation_arguments.configure_eval,
        evaluation_arguments.run_eval,
    ),
    Command(
        "compare",
        "table and plot of the metrics of several runs (ablations)",
        evaluation_arguments.configure_compare,
        evaluation_arguments.run_compare,
    ),
    Command(
        "import",
        "convert a DIGAN or StyleGAN-V release snapshot (.pkl) into a checkpoint, running none "
        "of its code",
        interop_commands.configure_import,
        interop_commands.run_import,
    ),
    Command(
        "export",
        "write a checkpoint's generator as config.json + model.safetensors (no pickle)",
        interop_commands.configure_export,
        interop_commands.run_export,
    ),
    Command(
        "study",
        "variants x seeds of a base recipe, run here or as a SLURM array, with intervals",
        study_arguments.configure,
        study_arguments.run,
    ),
    Command(
        "data",
        "inspect or prepare (index) the dataset of a recipe",
        data_command.configure,
        data_command.run,
    ),
    Command(
        "plugin",
        "write a new plug-in distribution: `inrvid plugin new NAME --kind KIND`",
        scaffold_command.configure,
        scaffold_command.run,
    ),
)


def build_parser(
    plugin_commands: dict[str, Command], only: str | None = None
) -> argparse.ArgumentParser:
    """The argument parser with the core commands and the plug-ins' commands.

    Every command is listed; with `only`, only that command's arguments are set up (the
    others' set-ups may import what `inrvid --help` need not).
    """
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="inrvid",
        parents=[common],
        description="Train, evaluate and extend implicit-neural-representation video GANs.",
        epilog="Installed plug-ins may add commands of their own (not listed here, so that "
        "this help loads no plug-in): `inrvid plugins` lists them.",
    )
    parser.add_argument("--version", action="version", version=f"inrvid {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    sub.required = True
    for command in (*CORE_COMMANDS, *plugin_commands.values()):
        p = sub.add_parser(command.name, parents=[common], help=command.help)
        if only is None or command.name == only:
            command.configure(p)
    return parser


def named_command(argv: Sequence[str]) -> str | None:
    """The command word of argv: its first argument that is not an option or an option's value.

    Only the options every command takes come before it (`--progress MODE`).
    """
    takes_value = {"--progress"}
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in takes_value:
            skip = True
        elif not token.startswith("-"):
            return token
    return None


def collect_commands(plugins: Plugins) -> dict[str, Command]:
    """Commands added by plug-ins through `inrvid_add_commands` (core names are reserved)."""
    pm = plugins.pm
    reserved = frozenset(c.name for c in CORE_COMMANDS)
    merged: dict[str, Command] = {}
    for name, plugin in pm.list_name_plugin():
        table = CommandTable(reserved=reserved, owner=name)
        caller = pm.subset_hook_caller(
            "inrvid_add_commands", remove_plugins=[p for p in pm.get_plugins() if p is not plugin]
        )
        ok, _ = plugins.guarded(name, "inrvid_add_commands", caller, commands=table)
        if not ok:
            continue  # a plug-in failing here loses its own commands, nobody else's
        for cname, command in table.commands.items():
            what = f"inrvid_add_commands ('{cname}')"
            ok, _ = plugins.guarded(name, what, _try_command, command=command, taken=merged)
            if ok:
                merged[cname] = command
    return merged


def _try_command(command: Command, taken: dict[str, Command]) -> None:
    """Refuse a command name another plug-in took; set its arguments up on a scratch parser."""
    if command.name in taken:
        raise PluginError(
            f"command '{command.name}' is also added by '{taken[command.name].owner}'"
        )
    command.configure(argparse.ArgumentParser(parents=[common_options()], add_help=False))


def main(argv: Sequence[str] | None = None) -> int:
    """Run `inrvid`; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except InrvidError as exc:
        from rich.markup import escape

        from inrvid.base import console

        console.err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        from inrvid.base import console

        console.err.print("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception:  # noqa: BLE001 - not a user error: show the traceback, exit 1
        traceback.print_exc()
        return 1


def _main(argv: list[str]) -> int:
    name = named_command(argv)
    core = {c.name for c in CORE_COMMANDS}
    # A core command (or none: `--help`, `--version`) needs no plug-in to parse its arguments;
    # another word may be a plug-in's command, so the plug-ins are asked for theirs.
    # `inrvid plugins` reports every plug-in's health, the commands they add included.
    lists_plugins = name == "plugins" and not {"-h", "--help"} & set(argv)
    other = name is not None and name not in core
    plugins = None
    if other or lists_plugins:
        from inrvid.loading.plugins import load_plugins

        plugins = load_plugins()
    commands = collect_commands(plugins) if plugins is not None else {}
    parser = build_parser(commands, only=name if name in core else None)
    overrides = override_tokens(parser, argv)
    args, extras = parser.parse_known_args([a for i, a in enumerate(argv) if i not in overrides])
    if hasattr(args, "overrides"):
        stray = [a for a in [*args.overrides, *extras] if not a.startswith("-")]
        if stray:  # `train.duration_kimg 1`: never silently dropped
            raise not_an_override(stray[0], argv, args.command)
        args.overrides = [argv[i] for i in sorted(overrides)]
        args.override_positions = [i + 1 for i in sorted(overrides)]  # for messages
    elif overrides:
        extras = [argv[i] for i in sorted(overrides)] + extras
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")

    from inrvid.base import console, progress
    from inrvid.loading.plugins import load_plugins

    if hasattr(args, "progress"):
        progress.set_mode(args.progress)
    plugins = load_plugins() if plugins is None else plugins  # once per command
    report = plugins.report
    strict = bool(getattr(args, "strict_plugins", False))
    for problem in report.problems():
        console.warn(problem)
    for notice in report.notices():
        console.warn(notice)
    if strict and (report.problems() or report.hook_failures) and args.command != "plugins":
        console.err.print("error: --strict-plugins: a plug-in failed to load (see above)")
        return STRICT_EXIT
    args.argv = argv  # the run records the command line it was started with
    args.plugin_commands = commands  # `inrvid plugins` lists them
    args.plugins = plugins
    table = {c.name: c for c in CORE_COMMANDS} | commands
    status = table[args.command].run(args) or 0
    if strict and (report.problems() or report.hook_failures):
        return STRICT_EXIT
    return status
