"""The loading loop: each way a plug-in can fail is reported and never stops the others."""

import pytest

from inrvid.base.version import PLUGIN_API
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import RecipeError, load_recipe
from tests.plugin_fixtures import toy as toy_plugin


def record(report, name):
    return next(r for r in report.records if r.entry_point == name)


@pytest.mark.parametrize(
    ("fixture", "status", "reason"),
    [
        ("broken_import", "failed: import", "No module named 'not_a_real_module_for_inrvid_tests'"),
        ("wrong_api", "failed: incompatible", "targets plug-in API 2.0"),
        ("no_api", "failed: incompatible", "declares no INRVID_API"),
        ("misspelt_hook", "failed: invalid", "did you mean 'inrvid_register_components'"),
        ("unmarked_hook", "failed: invalid", "without @hookimpl"),
        ("bad_hook_args", "failed: invalid", "not_an_argument"),
        ("raises_in_register", "failed: registration", "registration exploded"),
        ("bad_config", "failed: registration", "relaxes `extra`"),
    ],
)
def test_failing_plugin_is_reported_with_its_reason_and_does_not_stop_the_others(
    load_fixture_plugins, fixture, status, reason
):
    plugins = load_fixture_plugins(fixture, "toy")
    report = plugins.report
    bad = record(report, fixture)
    assert bad.status == status
    assert reason in bad.reason
    assert bad.distribution == f"fixture-{fixture.replace('_', '-')}"
    warning = "\n".join(report.problems())
    assert f"'{fixture}' (fixture-{fixture.replace('_', '-')} 1.0.0)" in warning
    assert record(report, "toy").ok
    assert "toy_generator" in plugins.registry("generator")


def test_failed_registration_leaves_none_of_its_components(load_fixture_plugins):
    plugins = load_fixture_plugins("raises_in_register")
    assert "half_registered" not in plugins.registry("encoder")


def test_disabled_plugin_is_skipped_without_being_a_failure(load_fixture_plugins, monkeypatch):
    monkeypatch.setenv("INRVID_DISABLE_PLUGINS", "toy")
    plugins = load_fixture_plugins("toy")
    report = plugins.report
    assert record(report, "toy").status == "disabled"
    assert report.failures == []
    assert "toy_generator" not in plugins.registry("generator")


def test_plugin_records_its_api_and_what_it_provides(load_fixture_plugins):
    plugins = load_fixture_plugins("toy")
    toy = record(plugins.report, "toy")
    assert toy.api == toy_plugin.INRVID_API == "1.0"     # a 1.0 plug-in loads under API 1.1
    assert PLUGIN_API == "1.1"
    assert toy.provides["generator"] == ["toy_generator"]
    assert plugins.registry("generator").get("toy_generator").origin.distribution == "fixture-toy"


def test_ambiguous_name_errors_only_when_a_recipe_uses_it_and_names_both_distributions(
    load_fixture_plugins, toy_recipe
):
    report = load_fixture_plugins("toy", "clash_a", "clash_b").report
    assert "encoder 'shared_name'" in report.ambiguous
    text = toy_recipe.read_text().replace("kind: toy_encoder, features: 8", "kind: shared_name")
    toy_recipe.write_text(text)
    with pytest.raises(RecipeError) as info:
        load_recipe(toy_recipe, plugins=load_plugins())
    message = str(info.value)
    assert "encoder.kind: 'shared_name' is provided by two plug-ins" in message
    assert "fixture-clash-a 1.0.0" in message and "fixture-clash-b 1.0.0" in message
    assert "`kind: clash_a:shared_name`" in message
    recipe = load_recipe(toy_recipe, ["encoder.kind=clash_b:shared_name"], plugins=load_plugins())
    assert recipe.encoder.component.origin.entry_point == "clash_b"


def test_registrar_rejects_bad_names_undocumented_fields_and_non_callables():
    from pydantic import Field

    from inrvid import ComponentConfig, Registrar
    from inrvid.base.errors import PluginError
    from inrvid.components.registry import Origin

    class Undocumented(ComponentConfig):
        size: int = Field(1)

    class Fine(ComponentConfig):
        size: int = Field(1, description="a size")

    registrar = Registrar(Origin("acme-video", "0.2.1", "acme", "acme.plugin"))
    with pytest.raises(PluginError, match=r"'acme' \(acme-video\).*'Bad-Name' is not lower_snake"):
        registrar.encoder("Bad-Name", Fine, object, summary="")
    with pytest.raises(PluginError, match="without a description: size"):
        registrar.encoder("acme_enc", Undocumented, object, summary="")
    with pytest.raises(PluginError, match="factory of encoder 'acme_enc' is not callable"):
        registrar.encoder("acme_enc", Fine, 3, summary="")
    with pytest.raises(PluginError, match="is not a ComponentConfig"):
        registrar.encoder("acme_enc", dict, object, summary="")


def test_every_first_party_plugin_declares_the_current_api():
    import importlib

    for module in ("inrvid_digan.plugin", "inrvid_datasets.plugin", "inrvid_metrics.plugin"):
        assert importlib.import_module(module).INRVID_API == PLUGIN_API
