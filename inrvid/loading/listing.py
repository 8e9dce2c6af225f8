"""`inrvid plugins` and `inrvid describe`: what the installed plug-ins provide.

Only `configure_*` run to build the parser (and `--help`): the plug-ins, torch and rich load
when a command runs, so `inrvid describe --help` answers at once.
"""

from __future__ import annotations

import argparse
import enum
import json
import types
import typing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inrvid.components.registry import Registry
    from inrvid.loading.report import PluginRecord


# ---------------------------------------------------------------- inrvid plugins
def _provides(record: PluginRecord) -> str:
    return "; ".join(f"{reg}: {', '.join(names)}" for reg, names in record.provides.items())


def configure_plugins(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid plugins`."""
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks of failures")


def run_plugins(args: argparse.Namespace) -> int:
    """List every plug-in with its distribution, API, status and what it provides."""
    from rich.markup import escape
    from rich.table import Table

    from inrvid.base import console
    from inrvid.base.version import PLUGIN_API, __version__
    report = args.plugins.report
    if args.json:
        payload = {
            "inrvid": __version__,
            "plugin_api": PLUGIN_API,
            "plugins": [
                r.to_json() | ({"traceback": r.traceback} if args.verbose else {})
                for r in report.records
            ],
            "ambiguous": report.ambiguous,
            "commands": {name: c.owner for name, c in args.plugin_commands.items()},
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
    for name, command in args.plugin_commands.items():  # not in `inrvid --help`: see there
        console.out.print(f"command: inrvid {escape(name)} (from plug-in {escape(command.owner)})")
    if args.verbose:
        for r in report.records:
            if r.traceback:
                console.out.print(f"\n[bold]{r.entry_point}[/bold] ({escape(r.distribution)}):")
                console.out.print(escape(r.traceback), soft_wrap=True)
    return 0


# ---------------------------------------------------------------- inrvid describe
def configure_describe(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid describe`."""
    parser.add_argument(
        "registry", help="registry kind, e.g. generator or loss (an unknown one lists them)"
    )
    parser.add_argument(
        "name", nargs="?", help="component name (or entrypoint:name); none: list the registry"
    )


def type_label(annotation: Any) -> str:
    """A config field's type for people: allowed values of a Literal or an enum, `or null`."""
    from inrvid.components.loss import RoleReference

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
    import annotated_types

    from inrvid.components.loss import RoleReference

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
    from rich.markup import escape
    from rich.table import Table

    from inrvid.base import console
    from inrvid.components.registry import plural

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


def run_describe(args: argparse.Namespace) -> int:
    """Print a component's options: name, type, default and description."""
    from rich.markup import escape
    from rich.table import Table

    from inrvid.base import console
    from inrvid.components.registry import ComponentLookupError, close_matches
    registries = args.plugins.registries
    registry = registries.get(args.registry)
    if registry is None:
        near = close_matches(args.registry, list(registries))
        guess = f"did you mean '{near[0]}'? " if near else ""
        raise ComponentLookupError(
            f"unknown registry '{args.registry}'", f"{guess}registries are: {', '.join(registries)}"
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
