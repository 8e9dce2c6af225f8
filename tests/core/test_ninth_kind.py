"""A new kind of component is one row of the table of kinds (issue 21).

The test plug-in `ninth_kind` registers a `probe`, a kind the core does not have; adding the
row `PROBE_KIND` to `inrvid.components.kinds.KINDS` is all it takes for probes to register,
validate in a recipe (`probes: {role: {kind: ...}}`), build, and show in `inrvid plugins`,
`inrvid describe` and the recipe's JSON Schema.
"""

from __future__ import annotations

import json

import pytest

from inrvid.cli import main
from inrvid.components import kinds
from inrvid.components.registry import BuildContext
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import RecipeError, load_recipe
from inrvid.recipe.json_schema import recipe_json_schema
from inrvid.runtime.build import build_on_stream
from inrvid.testing import build_component, check_component
from tests.conftest import TOY_RECIPE, fixture_entry_point, use_entry_points
from tests.plugin_fixtures.ninth_kind import PROBE_KIND, ToyProbe

PROBES = "probes:\n  coarse: {kind: ninth_kind_probe, level: 2.5}\n  fine: {kind: ninth_kind_probe}\n"


@pytest.fixture
def ninth(monkeypatch, tmp_path):
    """The table with one more row, the toy and ninth-kind plug-ins installed, a recipe."""
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, PROBE_KIND))
    use_entry_points(monkeypatch, [fixture_entry_point("toy"), fixture_entry_point("ninth_kind")])
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_RECIPE + PROBES)
    return path


def test_without_the_row_the_plugin_fails_to_register_its_probe():
    plugins = load_plugins([fixture_entry_point("ninth_kind")])
    (record,) = plugins.report.records
    assert record.status == "failed: registration"
    assert "has no attribute or kind 'probe'" in record.reason


def test_with_the_row_probes_register_validate_and_build(ninth):
    plugins = load_plugins()
    assert plugins.report.failures == []
    assert plugins.registry("probe").names() == ["ninth_kind_probe"]
    recipe = load_recipe(ninth, plugins=plugins)
    coarse, fine = recipe.parts["probes"]["coarse"], recipe.parts["probes"]["fine"]
    assert coarse.path == "probes.coarse" and coarse.config.level == 2.5
    assert fine.config.level == 1.0
    assert [s.path for s in recipe.sections_of(PROBE_KIND)] == ["probes.coarse", "probes.fine"]
    built = build_on_stream(coarse, BuildContext(seed=recipe.seed))
    assert isinstance(built, ToyProbe) and built.level() == 2.5
    assert build_component("probe", "ninth_kind_probe", {"level": 1.5}).level() == 1.5
    assert check_component("probe", "ninth_kind_probe").level() == 1.0
    assert recipe.resolved()["probes"] == {"coarse": {"kind": "ninth_kind_probe", "level": 2.5},
                                           "fine": {"kind": "ninth_kind_probe", "level": 1.0}}


def test_a_probe_section_is_validated_like_any_other(ninth):
    ninth.write_text(ninth.read_text().replace("level: 2.5", "levle: 2.5"))
    with pytest.raises(RecipeError) as info:
        load_recipe(ninth, plugins=load_plugins())
    assert "probes.coarse.levle: not an option of ninth_kind_probe" in str(info.value)
    assert "did you mean 'level'?" in str(info.value)


def test_probes_show_in_plugins_describe_and_the_json_schema(ninth, capsys):
    assert main(["plugins", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)["plugins"]
    ninth_record = next(r for r in records if r["entry_point"] == "ninth_kind")
    assert ninth_record["provides"] == {"probe": ["ninth_kind_probe"]}
    assert main(["describe", "probe", "ninth_kind_probe"]) == 0
    out = capsys.readouterr().out
    assert "probe ninth_kind_probe" in out and "the number the probe reports" in out
    schema = recipe_json_schema(load_plugins())
    assert schema["properties"]["probes"]["additionalProperties"] == {
        "$ref": "#/$defs/section.probe"}
    assert main(["recipe", "validate", str(ninth)]) == 0
