"""The reference pages generated at docs build time cover every component, option and command."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from inrvid.loading.plugins import load_plugins

REPO = Path(__file__).resolve().parents[2]


def load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_reference", REPO / "scripts" / "docs_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    return load_hook()


def test_every_registered_component_has_a_section_with_every_option(hook):
    page = hook.components_page()
    components = [(name, comp) for name, reg in load_plugins().registries.items() for comp in reg]
    assert len(components) > 20, "the plug-ins did not load"
    for registry, comp in components:
        heading = f"### `{comp.name}` {{ #{hook.anchor(registry, comp.name)} }}"
        assert heading in page, f"{registry} {comp.name} is missing from the components page"
        section = page.split(heading, 1)[1].split("\n### ", 1)[0]
        for option, field in comp.config.model_fields.items():
            row = next((line for line in section.splitlines() if line.startswith(f"| `{option}` |")), None)
            assert row is not None, f"{registry} {comp.name}: option {option} is not in its table"
            if field.description:
                assert hook.cell(field.description) in row, f"{registry} {comp.name}.{option}: description missing"


def test_option_rows_show_type_default_and_allowed_values(hook):
    page = hook.components_page()
    section = page.split("{ #dataset-moving-shapes }", 1)[1].split("\n### ", 1)[0]
    shapes = next(line for line in section.splitlines() if line.startswith("| `shapes` |"))
    assert "`int`" in shapes and "> 0" in shapes and "≤ 16" in shapes
    fid = page.split("{ #metric-fid }", 1)[1].split("\n### ", 1)[0]
    resolution = next(line for line in fid.splitlines() if line.startswith("| `resolution` |"))
    assert "'native'" in resolution and "null" in resolution


def test_every_cli_command_and_option_is_in_the_cli_page(hook):
    page = hook.cli_page()
    commands = list(hook.walk_commands(hook.build_cli_parser()))
    names = {" ".join(words) for words, _, _ in commands}
    assert {"run", "generate", "predict", "eval", "compare", "recipe schema", "describe"} <= names
    for words, _, parser in commands:
        assert f"`inrvid {' '.join(words)}` {{ #{hook.command_anchor(words)} }}" in page
        section = page.split(f"{{ #{hook.command_anchor(words)} }}", 1)[1].split("\n#", 1)[0]
        for action in parser._actions:
            for flag in action.option_strings:
                if flag in ("-h", "--help", "--strict-plugins", "--progress"):
                    continue
                assert flag in section, f"inrvid {' '.join(words)}: option {flag} is not documented"
    assert "--strict-plugins" in page.split("## Options of every command", 1)[1]


def test_schema_page_embeds_the_json_schema_of_recipes(hook):
    schema = json.loads(hook.schema_json())
    page = hook.schema_page()
    assert "`batch_size`" in page and "global batch" in page
    for section in schema["properties"]:
        assert f'"{section}": {{' in page, f"recipe key {section} is missing from the schema page"


def test_the_nav_lists_every_generated_page_and_the_hook():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    assert "scripts/docs_reference.py" in config["hooks"]
    listed = json.dumps(config["nav"])
    hook = load_hook()
    for page in (hook.COMPONENTS_PAGE, hook.CLI_PAGE, hook.SCHEMA_PAGE):
        assert page in listed, f"{page} is generated but not in the mkdocs nav"
