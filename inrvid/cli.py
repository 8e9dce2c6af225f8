"""The `inrvid` command line: the core commands (one table, `CORE_COMMANDS`) plus plug-ins'.

An `InrvidError` is printed as a short message without a traceback; anything else keeps
its traceback. `--strict-plugins` turns any plug-in failure into exit status 3.
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
import traceback
import types
import typing
from collections.abc import Sequence
from typing import Any

import annotated_types
from rich.markup import escape
from rich.table import Table

from inrvid.base import console, files, progress
from inrvid.base.errors import InrvidError, PluginError
from inrvid.base.version import PLUGIN_API, __version__
from inrvid.components.commands import Command, CommandTable
from inrvid.components.loss import RoleReference
from inrvid.components.registry import ComponentLookupError, Registry, close_matches, plural
from inrvid.data import command as data_command
from inrvid.evaluation import arguments as evaluation_arguments
from inrvid.generation import generate, predict
from inrvid.loading.plugins import REGISTRIES, ensure_plugins, guarded, plugin_manager
from inrvid.scaffold import command as scaffold_command
from inrvid.train import command as train_command

STRICT_EXIT = 3


def _overrides_with_positions(argv: Sequence[str], overrides: list[str]) -> list[int]:
    """The 1-based command-line position of each override, for error messages."""
    positions, start = [], 0
    for text in overrides:
        index = list(argv).index(text, start)
        positions.append(index + 1)
        start = index + 1
    return positions


# ---------------------------------------------------------------- inrvid plugins
def _provides(record: Any) -> str:
    return "; ".join(f"{reg}: {', '.join(names)}" for reg, names in record.provides.items())


def configure_plugins(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid plugins`."""
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks of failures")


def cmd_plugins(args: argparse.Namespace) -> int:
    """List every plug-in with its distribution, API, status and what it provides."""
    report = ensure_plugins()
    if args.json:
        payload = {
            "inrvid": __version__,
            "plugin_api": PLUGIN_API,
            "plugins": [
                r.to_json() | ({"traceback": r.traceback} if args.verbose else {})
                for r in report.records
            ],
            "ambiguous": report.ambiguous,
        }
        console.out.print_json(json.dumps(payload))
        return 0
    table = Table(title=f"inrvid {__version__} plug-ins (API {PLUGIN_API})")
    for col in ("entry point", "distribution", "API", "status", "provides"):
        table.add_column(col, overflow="fold")
    for r in report.records:
        colour = "green" if r.ok else ("yellow" if r.status == "disabled" else "red")
        table.add_row(
            r.entry_point,
            f"{r.distribution} {r.version}",
            r.api or "-",
            f"[{colour}]{r.status}[/{colour}]",
            escape(_provides(r) if r.ok else r.reason),
        )
    console.out.print(table)
    for name, origins in report.ambiguous.items():
        console.out.print(f"ambiguous: {escape(name)}: " + escape("; ".join(origins)))
    if args.verbose:
        for r in report.records:
            if r.traceback:
                console.out.print(f"\n[bold]{r.entry_point}[/bold] ({escape(r.distribution)}):")
                console.out.print(escape(r.traceback), soft_wrap=True)
    return 0


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
    argv: Sequence[str] = args.argv
    import yaml

    from inrvid.recipe import load_recipe, load_tree
    from inrvid.recipe.errors import RecipeError
    from inrvid.recipe.json_schema import recipe_json_schema
    from inrvid.recipe.resolved import resolved_yaml

    if args.recipe_command == "schema":
        text = json.dumps(recipe_json_schema(), indent=2)
        if args.out:
            files.write_text(args.out, text + "\n")
            console.err.print(f"wrote {escape(args.out)}")
        else:
            sys.stdout.write(text + "\n")
        return 0
    positions = _overrides_with_positions(argv, args.overrides)
    if args.recipe_command == "show" and not args.resolved:
        loaded = load_tree(args.recipe, args.overrides, positions)
        if loaded.problems:
            raise RecipeError(loaded.problems)
        sys.stdout.write(yaml.safe_dump(loaded.plain(), sort_keys=False))
        return 0
    recipe = load_recipe(args.recipe, args.overrides, positions)
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


# ---------------------------------------------------------------- inrvid describe
def configure_describe(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid describe`."""
    parser.add_argument("registry", help=f"one of: {', '.join(REGISTRIES)}")
    parser.add_argument(
        "name", nargs="?", help="component name (or entrypoint:name); none: list the registry"
    )


def type_label(annotation: Any) -> str:
    """A config field's type for people: allowed values of a Literal or an enum, `or null`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in annotation)
    if origin is typing.Annotated:
        marks = [m for m in annotation.__metadata__ if isinstance(m, RoleReference)]
        extra = f" naming {marks[0].section.removesuffix('s')} roles" if marks else ""
        return type_label(args[0]) + extra
    if origin in (typing.Union, types.UnionType):
        labels = [type_label(a) for a in args if a is not type(None)]
        return " or ".join(labels) + (" or null" if type(None) in args else "")
    if origin in (tuple, list, set, frozenset):
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return f"list of {type_label(args[0])}"
        if origin is tuple and args:
            return f"list of {len(args)}: " + ", ".join(type_label(a) for a in args)
        return f"list of {type_label(args[0])}" if args else "list"
    if origin is dict and args:
        return f"mapping of {type_label(args[0])} to {type_label(args[1])}"
    return getattr(annotation, "__name__", str(annotation))


def _constraint(meta: object) -> str:
    """`Gt(gt=0)` -> `> 0`; a role marker says what it names."""
    if isinstance(meta, RoleReference):
        return f"names {meta.section.removesuffix('s')} roles"
    bounds = {
        annotated_types.Gt: (">", "gt"), annotated_types.Ge: (">=", "ge"),
        annotated_types.Lt: ("<", "lt"), annotated_types.Le: ("<=", "le"),
        annotated_types.MultipleOf: ("multiple of", "multiple_of"),
    }
    for kind, (symbol, name) in bounds.items():
        if isinstance(meta, kind):
            return f"{symbol} {getattr(meta, name)}"
    return str(meta)


def _list_registry(name: str, registry: Registry[Any]) -> int:
    """`inrvid describe REGISTRY`: its components, each with its summary and plug-in."""
    components = list(registry)
    ambiguous = registry.ambiguous()
    table = Table(title=f"{len(components)} {plural(name)}; options: inrvid describe {name} NAME")
    for col in ("name", "summary", "plug-in"):
        table.add_column(col, overflow="fold")
    for comp in components:
        shown = comp.qualified_name if comp.name in ambiguous else comp.name
        o = comp.origin
        table.add_row(shown, escape(comp.summary), escape(f"{o.entry_point} ({o.distribution})"))
    console.out.print(table)
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    """Print a component's options: name, type, default and description."""
    registry = REGISTRIES.get(args.registry)
    if registry is None:
        near = close_matches(args.registry, list(REGISTRIES))
        guess = f"did you mean '{near[0]}'? " if near else ""
        raise ComponentLookupError(
            f"unknown registry '{args.registry}'", f"{guess}registries are: {', '.join(REGISTRIES)}"
        )
    if args.name is None:
        return _list_registry(args.registry, registry)
    comp = registry.get(args.name)
    console.out.print(f"[bold]{args.registry} {comp.name}[/bold]: {escape(comp.summary)}")
    console.out.print(f"from {escape(comp.origin.describe())}")
    table = Table()
    for col in ("option", "type", "default", "description"):
        table.add_column(col, overflow="fold")
    for key, field in comp.config.model_fields.items():
        default = (
            "required"
            if field.is_required()
            else repr(field.get_default(call_default_factory=True))
        )
        constraints = ", ".join(_constraint(m) for m in field.metadata)
        label = type_label(field.annotation)
        table.add_row(
            key,
            escape(f"{label} ({constraints})" if constraints else label),
            escape(default),
            escape(field.description or ""),
        )
    console.out.print(table)
    return 0


# ---------------------------------------------------------------- the parser
def _recipe_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", help="path of the recipe YAML")
    parser.add_argument(
        "overrides", nargs="*", help="key.sub=value overrides, applied after extends"
    )


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


def not_an_override(token: str, argv: Sequence[str], command: str) -> RecipeError:
    """The error for an argument after the recipe that is neither `key=value` nor an option."""
    index = list(argv).index(token)
    after = argv[index + 1] if index + 1 < len(argv) else ""
    value = after if after and "=" not in after and not after.startswith("-") else "VALUE"
    return RecipeError(
        f"command line argument {index + 1}: '{token}' is not an override: every argument "
        f"after the recipe is key=value (or an option of `inrvid {command}`)\n"
        f"  write {token}={value} (`inrvid {command} --help` lists the options)"
    )


def cmd_run(args: argparse.Namespace) -> int:
    """`inrvid run`: train a recipe, or resume a run."""
    argv = list(args.argv)
    return train_command.run(args, argv, _overrides_with_positions(argv, args.overrides))


# Every core command, in `inrvid --help` order: name, one-line help, arguments, action. Their
# names are reserved: a plug-in adds commands of other names through `inrvid_add_commands`.
CORE_COMMANDS: tuple[Command, ...] = (
    Command("plugins", "list plug-ins and what they provide", configure_plugins, cmd_plugins),
    Command("recipe", "show, validate or describe recipes", configure_recipe, cmd_recipe),
    Command("run", "train a recipe (or resume a run)", train_command.configure, cmd_run),
    Command("describe", "options of one component", configure_describe, cmd_describe),
    Command(
        "generate",
        "render videos from a checkpoint: any length, frame rate, resolution; modes",
        generate.configure,
        generate.run,
    ),
    Command(
        "predict",
        "fit latents to observed frames of a clip and render past and future frames",
        predict.configure,
        predict.run,
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
        choices=progress.MODES,
        default=argparse.SUPPRESS,  # given before or after the command, never reset by the other
        help="rich: live display (terminals); plain: a line at a steady cadence (log files); "
        "none; auto (default): rich on a terminal, else plain",
    )
    return common


def build_parser(plugin_commands: dict[str, Command]) -> argparse.ArgumentParser:
    """The argument parser with the core commands and the plug-ins' commands."""
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="inrvid",
        parents=[common],
        description="Train, evaluate and extend implicit-neural-representation video GANs.",
    )
    parser.add_argument("--version", action="version", version=f"inrvid {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    sub.required = True
    for command in (*CORE_COMMANDS, *plugin_commands.values()):
        p = sub.add_parser(command.name, parents=[common], help=command.help)
        command.configure(p)
    return parser


def collect_commands() -> dict[str, Command]:
    """Commands added by plug-ins through `inrvid_add_commands` (core names are reserved)."""
    pm = plugin_manager()
    reserved = frozenset(c.name for c in CORE_COMMANDS)
    merged: dict[str, Command] = {}
    for name, plugin in pm.list_name_plugin():
        table = CommandTable(reserved=reserved, owner=name)
        caller = pm.subset_hook_caller(
            "inrvid_add_commands", remove_plugins=[p for p in pm.get_plugins() if p is not plugin]
        )
        ok, _ = guarded(name, "inrvid_add_commands", caller, commands=table)
        if not ok:
            continue  # a plug-in failing here loses its own commands, nobody else's
        for cname, command in table.commands.items():
            what = f"inrvid_add_commands ('{cname}')"
            ok, _ = guarded(name, what, _try_command, command=command, taken=merged)
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
        report = ensure_plugins()
        commands = collect_commands()
        parser = build_parser(commands)
        overrides = override_tokens(parser, argv)
        args, extras = parser.parse_known_args(
            [a for i, a in enumerate(argv) if i not in overrides]
        )
        if hasattr(args, "overrides"):
            stray = [a for a in [*args.overrides, *extras] if not a.startswith("-")]
            if stray:  # `train.duration_kimg 1`: never silently dropped
                raise not_an_override(stray[0], argv, args.command)
            args.overrides = [argv[i] for i in sorted(overrides)]
        elif overrides:
            extras = [argv[i] for i in sorted(overrides)] + extras
        if extras:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        if hasattr(args, "progress"):
            progress.set_mode(args.progress)
        strict = bool(getattr(args, "strict_plugins", False))
        for problem in report.problems():
            console.warn(problem)
        for notice in report.notices():
            console.warn(notice)
        if strict and (report.problems() or report.hook_failures) and args.command != "plugins":
            console.err.print("error: --strict-plugins: a plug-in failed to load (see above)")
            return STRICT_EXIT
        args.argv = argv  # commands locate `key=value` overrides by their position in argv
        table = {c.name: c for c in CORE_COMMANDS} | commands
        status = table[args.command].run(args) or 0
        if strict and (report.problems() or report.hook_failures):
            return STRICT_EXIT
        return status
    except InrvidError as exc:
        console.err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        console.err.print("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception:  # noqa: BLE001 - not a user error: show the traceback, exit 1
        traceback.print_exc()
        return 1
