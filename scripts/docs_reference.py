"""Reference pages generated from the code when the docs are built (an mkdocs hook).

`mkdocs.yml` names this file under `hooks:`; `on_files` adds three pages that exist only in
the built site, never in `docs/`:

- `reference/components.md`: every registered component of every registry, with its config
  fields, their types, defaults, allowed values and descriptions (what `inrvid describe` shows);
- `reference/cli.md`: every `inrvid` command and subcommand (plug-ins' included) with its
  usage and options, walked from the real argument parser;
- `reference/recipe-schema.md` (and `reference/recipe.schema.json`): the recipe sections and
  the JSON Schema that `inrvid recipe schema` prints.

What is documented is what is installed where the site is built: a plug-in installed there
appears, one that failed to load is listed as failed.
"""

from __future__ import annotations

import argparse
import enum
import json
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

COMPONENTS_PAGE = "reference/components.md"
CLI_PAGE = "reference/cli.md"
SCHEMA_PAGE = "reference/recipe-schema.md"
SCHEMA_FILE = "reference/recipe.schema.json"

_CONSTRAINTS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "multiple_of": "multiple of"}


# ---------------------------------------------------------------- formatting helpers
def cell(text: object) -> str:
    """Text safe inside a Markdown table cell (no pipes, no newlines)."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def type_name(annotation: Any) -> str:
    """A short, readable name of a type annotation: `int | None`, `list[str]`, `'a' | 'b'`."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        if not args:
            return name
        inner = ", ".join("..." if a is Ellipsis else type_name(a) for a in args)
        return f"{name}[{inner}]"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _choices(annotation: Any) -> list[Any]:
    """The values a Literal or Enum annotation allows, anywhere in a union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [m.value for m in annotation]
    found: list[Any] = []
    for arg in typing.get_args(annotation):
        found += _choices(arg)
    return found


def allowed_values(field: FieldInfo) -> str:
    """What a field accepts beyond its type: Literal/Enum values, bounds, patterns."""
    parts = [repr(c) for c in _choices(field.annotation)]
    for meta in field.metadata:
        for attr, symbol in _CONSTRAINTS.items():
            value = getattr(meta, attr, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
        pattern = getattr(meta, "pattern", None)
        if pattern:
            parts.append(f"matches `{pattern}`")
    if type(None) in typing.get_args(field.annotation):
        parts.append("null")
    return ", ".join(parts)


def default_text(field: FieldInfo) -> str:
    """The default as a recipe would write it, or `required`."""
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "(section defaults)"
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{json.dumps(value, default=str)}`"


def fields_table(model: type[BaseModel]) -> list[str]:
    """A Markdown table of a pydantic model's fields."""
    if not model.model_fields:
        return ["No options besides `kind`.", ""]
    lines = [
        "| option | type | default | allowed | description |",
        "|---|---|---|---|---|",
    ]
    for name, field in model.model_fields.items():
        lines.append(
            f"| `{name}` | `{cell(type_name(field.annotation))}` | {cell(default_text(field))} "
            f"| {cell(allowed_values(field))} | {cell(field.description or '')} |"
        )
    lines.append("")
    return lines


# ---------------------------------------------------------------- components
def components_page() -> str:
    """Every registered component of every registry, with its options."""
    from inrvid.loading.plugins import load_plugins

    plugins = load_plugins()
    report = plugins.report
    lines = [
        "# Components",
        "",
        "Generated from the installed plug-ins when this site was built: every component a",
        "recipe can name with `kind:`, by registry. `inrvid describe <registry> <name>` prints",
        "the same table in a terminal, `inrvid plugins` lists what each plug-in provides.",
        "Option bounds are checked when a recipe is validated (`inrvid recipe validate`).",
        "",
    ]
    failed = [r for r in report.records if not r.ok]
    if failed:
        lines += ["!!! warning \"Plug-ins that did not load where this site was built\"", ""]
        for r in failed:
            lines.append(f"    - `{r.entry_point}` ({r.distribution} {r.version}): {r.status}")
        lines.append("")
    lines += ["| registry | components |", "|---|---|"]
    for name, registry in plugins.registries.items():
        links = ", ".join(f"[`{c.name}`](#{anchor(name, c.name)})" for c in registry)
        lines.append(f"| `{name}` | {links or '(none installed)'} |")
    lines.append("")
    for name, registry in plugins.registries.items():
        lines += [f"## {name}", ""]
        for comp in registry:
            lines += [
                f"### `{comp.name}` {{ #{anchor(name, comp.name)} }}",
                "",
                comp.summary,
                "",
                f"From {comp.origin.describe()}; select with `kind: {comp.name}` "
                f"(or `kind: {comp.qualified_name}`).",
                "",
            ]
            doc = (comp.config.__doc__ or "").strip()
            if doc and not doc.startswith(comp.config.__name__ + "("):
                lines += [" ".join(doc.split()), ""]
            lines += fields_table(comp.config)
    return "\n".join(lines)


def anchor(registry: str, name: str) -> str:
    """The id of a component's heading: `generator-digan`."""
    return re.sub(r"[^a-z0-9-]+", "-", f"{registry}-{name}".lower())


# ---------------------------------------------------------------- CLI
def build_cli_parser() -> argparse.ArgumentParser:
    """The real `inrvid` parser, core and plug-in commands included."""
    from inrvid.cli import build_parser, collect_commands
    from inrvid.loading.plugins import load_plugins

    return build_parser(collect_commands(load_plugins()))


def walk_commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str, argparse.ArgumentParser]]:
    """Every (sub)command below `parser`: its words, its one-line help and its parser."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help or "" for a in action._choices_actions}
        for word, sub in action.choices.items():
            words = (*path, word)
            yield words, helps.get(word, ""), sub
            yield from walk_commands(sub, words)


def _option_row(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    formatter = parser._get_formatter()
    if action.option_strings:
        names = ", ".join(action.option_strings)
        if action.nargs != 0:
            names += " " + formatter._format_args(action, action.dest.upper())
    else:
        names = action.metavar if isinstance(action.metavar, str) else action.dest
        if action.nargs in ("*", "+", "?"):
            names = formatter._format_args(action, names)
    help_text = formatter._expand_help(action) if action.help else ""
    default = ""
    if (
        action.option_strings
        and action.nargs != 0
        and action.default not in (None, argparse.SUPPRESS, [])
    ):
        default = f"`{action.default}`"
    choices = ", ".join(f"`{c}`" for c in action.choices) if action.choices else ""
    return f"| `{cell(names)}` | {cell(help_text)} | {cell(default)} | {cell(choices)} |"


def cli_page() -> str:
    """Every `inrvid` command with its usage and options."""
    parser = build_cli_parser()
    commands = list(walk_commands(parser))
    lines = [
        "# Command line",
        "",
        "Generated from the `inrvid` argument parser when this site was built, plug-in commands",
        "included. `inrvid <command> --help` prints the same. An `InrvidError` (bad input) is",
        "printed without a traceback and exits with status 2; `--strict-plugins` exits with 3",
        "when a plug-in failed to load. Options that take `key=value` overrides accept them",
        "anywhere after the command.",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for words, help_text, _ in commands:
        name = " ".join(words)
        lines.append(f"| [`inrvid {name}`](#{command_anchor(words)}) | {cell(help_text)} |")
    lines.append("")
    everywhere = [
        a
        for a in parser._actions
        if a.option_strings and not isinstance(a, argparse._HelpAction | argparse._VersionAction)
    ]
    common = {s for a in everywhere for s in a.option_strings}
    lines += [
        "## Options of every command { #options-of-every-command }",
        "",
        "These are accepted before or after the command's name (`inrvid --strict-plugins run ...`",
        "or `inrvid run ... --strict-plugins`); `-h`/`--help` prints a command's help.",
        "",
        "| argument | what it does | default | choices |",
        "|---|---|---|---|",
        *(_option_row(parser, a) for a in everywhere),
        "",
    ]
    for words, help_text, sub in commands:
        name = " ".join(words)
        level = "#" * min(2 + len(words) - 1, 4)
        usage = " ".join(sub.format_usage().split())
        if usage.startswith("usage: "):
            usage = usage[len("usage: ") :]
        lines += [f"{level} `inrvid {name}` {{ #{command_anchor(words)} }}", ""]
        description = sub.description or help_text
        if description:
            lines += [description, ""]
        lines += ["```text", usage, "```", ""]
        rows = [
            _option_row(sub, a)
            for a in sub._actions
            if not isinstance(a, argparse._SubParsersAction | argparse._HelpAction)
            and not common.intersection(a.option_strings)
        ]
        if rows:
            lines += ["| argument | what it does | default | choices |", "|---|---|---|---|"]
            lines += rows
            lines.append("")
    return "\n".join(lines)


def command_anchor(words: tuple[str, ...]) -> str:
    """The id of a command's heading: `inrvid-data-inspect`."""
    return "inrvid-" + "-".join(words)


# ---------------------------------------------------------------- recipe schema
def schema_json() -> str:
    """The JSON Schema of recipes, as `inrvid recipe schema` prints it."""
    from inrvid.loading.plugins import load_plugins
    from inrvid.recipe.json_schema import recipe_json_schema

    return json.dumps(recipe_json_schema(load_plugins()), indent=2) + "\n"


def schema_page() -> str:
    """The recipe's core sections and the JSON Schema for editors."""
    from inrvid.components.kinds import KINDS
    from inrvid.recipe.schema import EvalConfig, OutputConfig, TrainConfig, raw_model

    lines = [
        "# Recipe schema",
        "",
        "Generated from the code when this site was built. A recipe's top-level keys are below;",
        "the component sections (`data`, `generator`, ...) take `kind:` and the options of the",
        "component it names (see [Components](components.md)). The full JSON Schema, with one",
        "branch per installed component, is [recipe.schema.json](recipe.schema.json): point",
        "your editor's YAML support at it, or write your own copy with",
        "`inrvid recipe schema --out recipe.schema.json`.",
        "",
        "## Top level",
        "",
        *fields_table(raw_model(KINDS)),
        "## `train`",
        "",
        *fields_table(TrainConfig),
        "## `eval`",
        "",
        *fields_table(EvalConfig),
        "## `output`",
        "",
        *fields_table(OutputConfig),
        "## JSON Schema",
        "",
        '??? note "recipe.schema.json (click to expand)"',
        "",
        "    ```json",
    ]
    lines += ["    " + line for line in schema_json().splitlines()]
    lines += ["    ```", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- tables inside written pages
PROTOCOLS_MARKER = "<!-- generated: protocols -->"


def protocols_table() -> str:
    """Every evaluation protocol preset with its fields, from `inrvid.runtime.scoring.protocols`."""
    from inrvid.runtime.scoring.protocols import ALIASES, PROTOCOLS, EvalProtocol

    fields = [f for f in EvalProtocol.model_fields if f not in ("name", "description")]
    lines = [
        "| protocol | " + " | ".join(f"`{f}`" for f in fields) + " |",
        "|---" * (len(fields) + 1) + "|",
    ]
    for name, protocol in PROTOCOLS.items():
        aliases = [a for a, target in ALIASES.items() if target == name]
        label = f"`{name}`" + "".join(f" (`{a}`)" for a in aliases)
        values = protocol.model_dump()
        shown = ["—" if values[f] is None else cell(values[f]) for f in fields]
        lines.append(f"| {label} | " + " | ".join(shown) + " |")
    lines += ["", "What each preset reproduces:", ""]
    lines += [f"- `{name}`: {p.description}" for name, p in PROTOCOLS.items()]
    lines += ["", "The fields:", ""]
    lines += [f"- `{f}`: {EvalProtocol.model_fields[f].description}" for f in fields]
    return "\n".join(lines)


TABLES = {PROTOCOLS_MARKER: protocols_table}


GENERATED = {
    COMPONENTS_PAGE: components_page,
    CLI_PAGE: cli_page,
    SCHEMA_PAGE: schema_page,
    SCHEMA_FILE: schema_json,
}


# ---------------------------------------------------------------- the mkdocs hooks
def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site (mkdocs >= 1.6 `File.generated`)."""
    from mkdocs.structure.files import File

    for path, render in GENERATED.items():
        files.append(File.generated(config, path, content=render()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each `<!-- generated: ... -->` marker of a written page by its table."""
    for marker, render in TABLES.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown
