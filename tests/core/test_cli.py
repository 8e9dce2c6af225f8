"""The core CLI commands, run in-process through `inrvid.cli.main`."""

import json

import pytest

from inrvid.cli import main
from inrvid.loading import plugins as loading_plugins


def test_describe_prints_each_option_with_type_default_and_description(toy_recipe, capsys):
    assert main(["describe", "discriminator", "toy_d"]) == 0
    out = capsys.readouterr().out
    assert "discriminator toy_d" in out and "per frame" in out
    assert "channels" in out and "conv channels" in out and "4" in out


def test_describe_unknown_component_suggests_the_closest_name(toy_recipe, capsys):
    # a name the user typed is a usage error (2); status 3 is for plug-ins that fail
    assert main(["describe", "generator", "toy_generatr"]) == 2
    err = capsys.readouterr().err
    assert "unknown generator 'toy_generatr'" in err and "did you mean 'toy_generator'?" in err
    assert "Traceback" not in err
    assert main(["describe", "generatr", "toy_generator"]) == 2
    assert "unknown registry 'generatr'\n  did you mean 'generator'?" in capsys.readouterr().err


def test_an_unknown_metric_name_on_the_command_line_exits_2_not_the_plugin_status_3(
    tmp_path, capsys
):
    from inrvid.loading.plugins import load_plugins

    load_plugins()  # the installed plug-ins: swd
    assert main(["eval", "--fake", str(tmp_path), "--metrics", "swdd"]) == 2
    err = capsys.readouterr().err
    assert "unknown metric 'swdd'" in err and "did you mean 'swd'?" in err


def test_describe_without_a_name_lists_the_registry(toy_recipe, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["describe", "loss"]) == 0
    out = capsys.readouterr().out
    assert "3 losses; options: inrvid describe loss NAME" in out
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert rows == ["toy_loss", "toy_nan", "toy_r1"]


def test_recipe_show_resolved_and_validate(toy_recipe, capsys):
    assert main(["recipe", "validate", str(toy_recipe)]) == 0
    assert "is valid" in capsys.readouterr().out
    assert main(["recipe", "show", "--resolved", str(toy_recipe), "seed=9"]) == 0
    out = capsys.readouterr().out
    assert "seed: 9  # command line argument 5" in out


def test_plugins_json_lists_status_and_provides(toy_recipe, capsys):
    assert main(["plugins", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    (toy,) = payload["plugins"]
    assert toy["status"] == "ok"
    assert toy["provides"]["loss"] == ["toy_loss", "toy_r1", "toy_nan"]


def test_strict_plugins_exits_3_when_a_plugin_failed(load_fixture_plugins, capsys):
    load_fixture_plugins("toy", "broken_import")
    assert main(["plugins", "--strict-plugins"]) == 3
    assert main(["describe", "loss", "toy_loss", "--strict-plugins"]) == 3
    assert main(["describe", "loss", "toy_loss"]) == 0
    assert "failed to load and was skipped" in capsys.readouterr().err


def test_unexpected_exception_keeps_its_traceback(toy_recipe, capsys, monkeypatch):
    import inrvid.cli

    def explode(args):
        raise ValueError("a bug, not a user error")

    from dataclasses import replace

    table = tuple(
        replace(c, run=explode) if c.name == "describe" else c for c in inrvid.cli.CORE_COMMANDS
    )
    monkeypatch.setattr(inrvid.cli, "CORE_COMMANDS", table)
    assert main(["describe", "loss", "toy_loss"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_overrides_may_follow_options_and_option_values_are_not_overrides(toy_recipe, capsys):
    assert main(["recipe", "show", "--resolved", str(toy_recipe), "seed=9", "train.batch_size=8"]) == 0
    out = capsys.readouterr().out
    assert "seed: 9  # command line argument 5" in out
    assert "batch_size: 8  # command line argument 6" in out
    assert main(["recipe", "schema", "--out=x=y.json", "seed=1"]) == 2
    assert "unrecognized arguments: seed=1" in capsys.readouterr().err


def test_run_with_an_override_missing_its_equals_sign_exits_2_naming_it(toy_recipe, capsys):
    # `train.duration_kimg 1` once trained the recipe's own duration without a word
    assert main(["run", str(toy_recipe), "train.duration_kimg", "1"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "command line argument 3: 'train.duration_kimg' is not an override" in err
    assert "every argument after the recipe is key=value" in err
    assert "write train.duration_kimg=1" in err


@pytest.mark.parametrize("argv", [
    ["recipe", "validate", "RECIPE", "seed=1", "seed", "2"],
    ["recipe", "show", "RECIPE", "seed"],
    ["data", "inspect", "RECIPE", "data.videos", "--json"],
    ["run", "RECIPE", "train.batch_size=2", "--quiet", "stray"],
])
def test_every_command_taking_overrides_refuses_an_argument_without_equals(
    toy_recipe, capsys, argv
):
    argv = [str(toy_recipe) if a == "RECIPE" else a for a in argv]
    assert main(argv) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "is not an override" in err and "=" in err.split("write ")[1]


def test_a_plugin_command_runs_and_is_listed_by_plugins_not_by_help(
    load_fixture_plugins, capsys
):
    load_fixture_plugins("adds_command")
    assert main(["fixture-hello", "--name", "ada"]) == 4
    assert "hello ada" in capsys.readouterr().out
    assert main(["plugins"]) == 0
    assert "command: inrvid fixture-hello (from plug-in adds_command)" in capsys.readouterr().out
    assert main(["plugins", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["commands"] == {"fixture-hello": "adds_command"}
    # the top-level help loads no plug-in, so it names where plug-in commands are listed
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "fixture-hello" not in out and "`inrvid plugins` lists them" in out
    assert main(["fixture-hello", "--help"]) == 0
    assert "--name NAME" in capsys.readouterr().out


def test_a_command_loads_the_plugins_once_and_passes_them_on(toy_recipe, monkeypatch, tmp_path):
    discovered = []
    installed = loading_plugins.discover_entry_points       # the toy plug-in (toy_recipe)

    def discover():
        discovered.append(1)
        return installed()

    monkeypatch.setattr(loading_plugins, "discover_entry_points", discover)
    assert main(["run", str(toy_recipe), f"output.dir={tmp_path}", "--quiet"]) == 0
    assert len(discovered) == 1          # validation, building, the run records: one `Plugins`
    (checkpoint,) = tmp_path.glob("toy/*/checkpoints/checkpoint-*.pt")
    assert main(["generate", str(checkpoint), "--num", "1", "--frames", "2",
                 "--out", str(tmp_path / "gen"), "--quiet"]) == 0
    assert len(discovered) == 2
